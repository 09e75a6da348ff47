package job

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/netip"
	"strings"
	"time"
)

// startAdmin starts the admin server of opts.HTTPAddr: a token is required
// unless the address is a loopback one, so that a job's controls are not
// open to the network by a typo.
func startAdmin(opts Options, l *live, log *slog.Logger) (func(), error) {
	if err := checkAdmin(opts); err != nil {
		return nil, err
	}
	return opts.Admin(opts.HTTPAddr, opts.HTTPToken, l, log)
}

// checkAdmin says why --http cannot be served as set, if it cannot.
func checkAdmin(opts Options) error {
	if opts.HTTPAddr == "" {
		return nil
	}
	if opts.Admin == nil {
		return errors.New("--http: this job was built without the admin server: rebuild it with laminarc build --admin")
	}
	if opts.HTTPToken == "" && !isLoopback(opts.HTTPAddr) {
		return fmt.Errorf("--http %s is not a loopback address: set a bearer token with --http-token-file or LAMINAR_HTTP_TOKEN", opts.HTTPAddr)
	}
	return nil
}

// isLoopback reports whether addr (host:port) listens on loopback only.
// net/netip rather than net: package net would add 0.7 MB and its init to
// every job, admin server or not.
func isLoopback(addr string) bool {
	i := strings.LastIndexByte(addr, ':')
	if i < 0 {
		return false
	}
	host := strings.TrimSuffix(strings.TrimPrefix(addr[:i], "["), "]")
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// publish copies the counters of the batches processed so far into the
// live status.
func (r *runner) publish() {
	if w, ok := r.pipeline.(Watermarked); ok {
		r.watermarks = w.Watermarks(r.watermarks)
	}
	if o, ok := r.pipeline.(Operated); ok {
		r.operators = o.Operators(r.operators[:0])
		if r.pool != nil {
			// each worker counts its own key partitions: add up the others'
			for _, p := range r.pool.pipes[1:] {
				r.scratchOps = p.(Operated).Operators(r.scratchOps[:0])
				for i := range r.operators {
					r.operators[i].RowsOut += r.scratchOps[i].RowsOut
					r.operators[i].Expired += r.scratchOps[i].Expired
					if r.operators[i].State >= 0 {
						r.operators[i].State += r.scratchOps[i].State
					}
				}
			}
		}
		r.countOperatorInputs()
	}
	var lookups []LookupStatus
	if lc, ok := r.pipeline.(LookupCounted); ok {
		lookups = lc.LookupCounters(nil)
		if r.pool != nil {
			// each worker has its own caches: add up the others' counters
			for _, p := range r.pool.pipes[1:] {
				r.scratchLookups = p.(LookupCounted).LookupCounters(r.scratchLookups[:0])
				for i := range lookups {
					lookups[i].Hits += r.scratchLookups[i].Hits
					lookups[i].Misses += r.scratchLookups[i].Misses
					lookups[i].Errors += r.scratchLookups[i].Errors
				}
			}
		}
	}
	now := time.Now()
	r.live.update(func(s *Status) {
		s.Operators = append(s.Operators[:0], r.operators...)
		if lookups != nil {
			s.Lookups = lookups
		}
		for i, wm := range r.watermarks {
			if i < len(s.Sources) && wm != math.MinInt64 && wm != math.MaxInt64 {
				s.Sources[i].Watermark = time.UnixMicro(wm).UTC()
				s.Sources[i].WatermarkLagSeconds = now.Sub(s.Sources[i].Watermark).Seconds()
			}
		}
		for i, src := range r.jobCtx.sources {
			st := &s.Sources[i]
			st.RowsIn, st.Malformed, st.Late = src.RowsIn, src.Malformed, src.Late
			if i >= len(r.positions) {
				continue // the run failed before it opened the sources
			}
			if c := st.Connector; c == "file" || c == "stdin" {
				st.Bytes = r.positions[i].Offset
			}
			st.Ended = r.done[i]
		}
		for i, w := range r.jobCtx.Sinks {
			if i < len(s.Sinks) {
				s.Sinks[i].RowsOut = w.Rows
			}
		}
	})
}

// countOperatorInputs sets each operator's rows in from what its inputs
// emitted (a source's rows in), and its watermark's time. It runs after
// every batch: the inputs are resolved to indexes once, and nothing is
// allocated per call.
func (r *runner) countOperatorInputs() {
	if len(r.opInputs) != len(r.operators) {
		r.opInputs = resolveOperatorInputs(r.spec, r.operators)
	}
	for i := range r.operators {
		o := &r.operators[i]
		o.RowsIn = 0
		for _, in := range r.opInputs[i] {
			if in >= 0 {
				o.RowsIn += r.operators[in].RowsOut
				continue
			}
			src, k := r.jobCtx.sources[-in-1], r.kinds[-in-1]
			if k != 0 {
				o.RowsIn += src.Kept // a Nexmark source's own table
			} else {
				o.RowsIn += src.RowsIn - src.Malformed // what decoded reached the pipeline
			}
		}
		o.Watermark = time.Time{}
		if wm := o.WatermarkMicros; wm != math.MinInt64 && wm != math.MaxInt64 {
			o.Watermark = time.UnixMicro(wm).UTC()
		}
	}
}

// resolveOperatorInputs maps each operator's inputs by name to the index of
// the operator, or -(i+1) for source i.
func resolveOperatorInputs(spec Spec, ops []OperatorStatus) [][]int {
	index := map[string]int{}
	for i, s := range spec.Sources {
		index["source "+s.Name] = -(i + 1)
	}
	for i, o := range ops {
		index[o.Name] = i
	}
	out := make([][]int, len(ops))
	for i, o := range ops {
		for _, in := range o.Inputs {
			if j, ok := index[in]; ok {
				out[i] = append(out[i], j)
			}
		}
	}
	return out
}

// publishCheckpoint records the checkpoint just taken in the live status.
func (r *runner) publishCheckpoint() {
	d := r.durable
	var units []StateUnit
	if st, ok := r.pipeline.(Stateful); ok {
		units = st.StateUnits()
	}
	r.live.update(func(s *Status) {
		c := &s.Checkpoints
		c.Count++
		c.LastEpoch = d.next - 1
		c.LastTime = d.lastTime
		pause := d.pauses[len(d.pauses)-1]
		c.LastDurationSeconds = pause.Seconds()
		c.TotalSeconds += pause.Seconds()
		c.LastBytes = 0
		s.State = s.State[:0]
		for i, u := range units {
			n := int64(-1)
			if i < len(d.unitBytes) {
				n = d.unitBytes[i]
				c.LastBytes += n
			}
			s.State = append(s.State, StateStatus{ID: u.ID, Name: u.Name, Bytes: n})
		}
	})
}
