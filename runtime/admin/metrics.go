package admin

import (
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/laminar-sql/laminar/runtime/job"
)

// emitDelayBounds are the emit-delay histogram's buckets: powers of two
// from about 1µs to 34s, which are the job histogram's bucket edges, so
// the counts are exact.
var emitDelayBounds = func() []time.Duration {
	var b []time.Duration
	for ns := time.Duration(1 << 10); ns <= 1<<35; ns <<= 1 {
		b = append(b, ns-1)
	}
	return b
}()

// collector reads the job's status at scrape time: the job counts once per
// batch, whatever the scrape rate, and nothing per row.
type collector struct {
	m job.Monitor

	info, ready                              *prometheus.Desc
	srcRows, srcBytes, srcMalformed, srcLate *prometheus.Desc
	srcEnded, sinkRows, stateBytes           *prometheus.Desc
	srcWatermark, srcLag                     *prometheus.Desc
	cpCount, cpLastDuration, cpTotal         *prometheus.Desc
	cpLastBytes, cpLastEpoch, cpLastTime     *prometheus.Desc
	emitDelay                                *prometheus.Desc
	opRowsIn, opRowsOut, opState, opExpired  *prometheus.Desc
	lookupHits, lookupMisses, lookupErrors   *prometheus.Desc
}

func newCollector(m job.Monitor) *collector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("laminar_"+name, help, labels, nil)
	}
	return &collector{
		m:              m,
		info:           d("job_info", "The job's name and runtime version (always 1).", "job", "runtime_version"),
		ready:          d("ready", "1 once recovery has finished and batches flow, 0 before and after."),
		srcRows:        d("source_rows_total", "Records read from a source, malformed and late ones included.", "source"),
		srcBytes:       d("source_bytes_total", "Bytes read from a source (file and stdin sources).", "source"),
		srcMalformed:   d("source_malformed_total", "Records of a source that did not decode (sent to the dead-letter file).", "source"),
		srcLate:        d("source_late_total", "Records of a source that came after their window closed (sent to the late file).", "source"),
		srcEnded:       d("source_ended", "1 once a source has reached the end of its input.", "source"),
		srcWatermark:   d("source_watermark_seconds", "A source's event-time watermark, as Unix time (sources that declare a watermark, once rows came).", "source"),
		srcLag:         d("source_watermark_lag_seconds", "How far a source's watermark is behind the wall clock.", "source"),
		sinkRows:       d("sink_rows_total", "Rows written to a sink.", "sink"),
		stateBytes:     d("state_bytes", "Encoded size of a state unit at the last checkpoint.", "unit"),
		cpCount:        d("checkpoints_total", "Checkpoints taken by this run."),
		cpLastDuration: d("checkpoint_last_duration_seconds", "How long the last checkpoint stopped processing."),
		cpTotal:        d("checkpoint_duration_seconds_total", "Time processing stopped for checkpoints in this run."),
		cpLastBytes:    d("checkpoint_last_bytes", "State bytes written by the last checkpoint."),
		cpLastEpoch:    d("checkpoint_last_epoch", "Epoch of the last checkpoint."),
		cpLastTime:     d("checkpoint_last_timestamp_seconds", "Unix time of the last checkpoint."),
		emitDelay:      d("window_emit_delay_seconds", "Time from the watermark closing a window to its rows reaching the sinks."),
		opRowsIn:       d("operator_rows_in_total", "Rows an operator of the dataflow graph read (its inputs' rows out).", "operator"),
		opRowsOut:      d("operator_rows_out_total", "Rows an operator emitted, retractions included.", "operator"),
		opState:        d("operator_state_rows", "Groups or rows an operator holds in memory.", "operator"),
		opExpired:      d("operator_state_expired_total", "Rows a join dropped by state retention (state_ttl).", "operator"),
		lookupHits:     d("lookup_cache_hits_total", "Lookups of a lookup join answered by its cache.", "view", "table"),
		lookupMisses:   d("lookup_cache_misses_total", "Lookups of a lookup join that read its table.", "view", "table"),
		lookupErrors:   d("lookup_errors_total", "Lookups of a lookup join that failed (their rows went to the dead-letter file).", "view", "table"),
	}
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.info, c.ready, c.srcRows, c.srcBytes, c.srcMalformed, c.srcLate,
		c.srcEnded, c.srcWatermark, c.srcLag, c.sinkRows, c.stateBytes, c.cpCount, c.cpLastDuration, c.cpTotal, c.cpLastBytes,
		c.cpLastEpoch, c.cpLastTime, c.emitDelay, c.opRowsIn, c.opRowsOut, c.opState, c.opExpired, c.lookupHits, c.lookupMisses, c.lookupErrors} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	st := c.m.Status()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
	}
	gauge(c.info, 1, st.Job, job.RuntimeVersion())
	gauge(c.ready, bool01(st.Ready))
	for _, s := range st.Sources {
		counter(c.srcRows, float64(s.RowsIn), s.Name)
		counter(c.srcBytes, float64(s.Bytes), s.Name)
		counter(c.srcMalformed, float64(s.Malformed), s.Name)
		counter(c.srcLate, float64(s.Late), s.Name)
		gauge(c.srcEnded, bool01(s.Ended), s.Name)
		if !s.Watermark.IsZero() {
			gauge(c.srcWatermark, float64(s.Watermark.UnixMicro())/1e6, s.Name)
			gauge(c.srcLag, s.WatermarkLagSeconds, s.Name)
		}
	}
	for _, s := range st.Sinks {
		counter(c.sinkRows, float64(s.RowsOut), s.Name)
	}
	for _, o := range st.Operators {
		counter(c.opRowsIn, float64(o.RowsIn), o.Name)
		counter(c.opRowsOut, float64(o.RowsOut), o.Name)
		if o.State >= 0 {
			gauge(c.opState, float64(o.State), o.Name)
		}
		if strings.HasSuffix(o.Kind, " join") { // 0 for joins without state_ttl
			counter(c.opExpired, float64(o.Expired), o.Name)
		}
	}
	for _, u := range st.State {
		if u.Bytes >= 0 {
			gauge(c.stateBytes, float64(u.Bytes), u.Name)
		}
	}
	for _, l := range st.Lookups {
		counter(c.lookupHits, float64(l.Hits), l.View, l.Table)
		counter(c.lookupMisses, float64(l.Misses), l.View, l.Table)
		counter(c.lookupErrors, float64(l.Errors), l.View, l.Table)
	}
	cp := st.Checkpoints
	if cp.Enabled {
		counter(c.cpCount, float64(cp.Count))
		counter(c.cpTotal, cp.TotalSeconds)
		if cp.Count > 0 {
			gauge(c.cpLastDuration, cp.LastDurationSeconds)
			gauge(c.cpLastBytes, float64(cp.LastBytes))
			gauge(c.cpLastEpoch, float64(cp.LastEpoch))
			gauge(c.cpLastTime, float64(cp.LastTime.UnixNano())/1e9)
		}
	}
	h := c.m.EmitDelays()
	counts := h.CumulativeAt(emitDelayBounds)
	buckets := make(map[float64]uint64, len(counts))
	for i, b := range emitDelayBounds {
		buckets[(b + 1).Seconds()] = counts[i]
	}
	ch <- prometheus.MustNewConstHistogram(c.emitDelay, h.Count(), h.Sum().Seconds(), buckets)
}

func bool01(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
