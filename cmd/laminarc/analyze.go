package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/laminar-sql/laminar/runtime/job"
)

// analyze prints what a job counted: from a running job's admin server
// (HOST:PORT or a URL; LAMINAR_HTTP_TOKEN is sent as its bearer token) or a
// finished job's --summary-json file. It renders the job's own status, not
// the compiler's plan, so that it shows what that binary runs. With a
// profile duration it first profiles the running job for that long and
// shows each operator's share of its CPU time.
func analyze(target string, profileFor time.Duration, w io.Writer) error {
	var prof []byte
	if profileFor > 0 {
		if _, err := os.Stat(target); err == nil {
			return fmt.Errorf("--profile needs a running job's admin address, not the file %s", target)
		}
		var err error
		if prof, err = fetchProfile(target, profileFor); err != nil {
			return err
		}
	}
	data, err := fetchStatus(target)
	if err != nil {
		return err
	}
	st, err := decodeStatus(data)
	if err != nil {
		return fmt.Errorf("%s: %v", target, err)
	}
	var shares map[string]float64
	var cpu time.Duration
	if prof != nil {
		if shares, cpu, err = timeShares(prof, st.Operators); err != nil {
			return err
		}
	}
	renderStatus(w, st, shares, cpu)
	return nil
}

func fetchStatus(target string) ([]byte, error) {
	if _, err := os.Stat(target); err == nil {
		return os.ReadFile(target)
	}
	body, err := adminGet(adminURL(target, "/status"), 10*time.Second)
	if errors.Is(err, errUnreachable) {
		return nil, fmt.Errorf("%s is neither a file nor a job's admin address: %v", target, err)
	}
	return body, err
}

// errUnreachable wraps the error of a request that got no answer.
var errUnreachable = errors.New("no answer")

// adminGet GETs url from a job's admin server, sending LAMINAR_HTTP_TOKEN as
// the bearer token; an answer other than 200 is an error quoting it.
func adminGet(url string, timeout time.Duration) ([]byte, error) {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		return nil, err
	}
	if tok := os.Getenv("LAMINAR_HTTP_TOKEN"); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := (&http.Client{Timeout: timeout}).Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errUnreachable, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s: %s", url, resp.Status, strings.TrimSpace(string(body)))
	}
	return body, nil
}

// adminURL is the URL of path on a job's admin server given as HOST:PORT
// or as a URL (with or without /status).
func adminURL(target, path string) string {
	url := target
	if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
		url = "http://" + url
	}
	url = strings.TrimSuffix(strings.TrimSuffix(url, "/"), "/status")
	return url + path
}

// decodeStatus reads /status JSON or a --summary-json file (whose
// "checkpoints" is a count, and which has no phase).
func decodeStatus(data []byte) (job.Status, error) {
	var probe struct {
		Phase       *string         `json:"phase"`
		Checkpoints json.RawMessage `json:"checkpoints"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return job.Status{}, err
	}
	var st job.Status
	if probe.Phase != nil {
		err := json.Unmarshal(data, &st)
		return st, err
	}
	var sum struct {
		ElapsedSeconds float64 `json:"elapsed_seconds"`
		WindowsClosed  uint64  `json:"windows_closed"`
		P50            float64 `json:"window_emit_delay_p50_us"`
		P99            float64 `json:"window_emit_delay_p99_us"`
		Checkpoints    int     `json:"checkpoints"`
		Interrupted    bool    `json:"interrupted"`
		Error          string  `json:"error"`
		Sources        []job.SourceStatus
		Sinks          []job.SinkStatus
		State          []job.StateStatus
		Operators      []job.OperatorStatus
	}
	if err := json.Unmarshal(data, &sum); err != nil {
		return st, err
	}
	st = job.Status{Phase: "done", ElapsedSeconds: sum.ElapsedSeconds, Sources: sum.Sources, Sinks: sum.Sinks,
		State: sum.State, Operators: sum.Operators, WindowsClosed: sum.WindowsClosed, EmitDelayP50us: sum.P50, EmitDelayP99us: sum.P99, Error: sum.Error}
	if sum.Interrupted {
		st.Phase = "interrupted"
	}
	if sum.Error != "" {
		st.Phase = "failed"
	}
	st.Checkpoints.Count = sum.Checkpoints
	st.Checkpoints.Enabled = sum.Checkpoints > 0
	return st, nil
}

func renderStatus(w io.Writer, st job.Status, shares map[string]float64, cpu time.Duration) {
	var rows int64
	for _, s := range st.Sources {
		rows += s.RowsIn
	}
	name := st.Job
	if name == "" {
		name = "(summary)"
	}
	fmt.Fprintf(w, "job %s: %s after %.1fs", name, st.Phase, st.ElapsedSeconds)
	if st.ElapsedSeconds > 0 {
		fmt.Fprintf(w, ", %.0f rows/s", float64(rows)/st.ElapsedSeconds)
	}
	fmt.Fprintln(w)
	if st.Error != "" {
		fmt.Fprintf(w, "error: %s\n", st.Error)
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nsources\tconnector\trows in\tbytes\tmalformed\tlate\t")
	for _, s := range st.Sources {
		ended := ""
		if !s.Watermark.IsZero() {
			ended = "watermark " + s.Watermark.Format(time.RFC3339Nano)
		}
		if s.Ended {
			ended = "ended"
		}
		bytes := "" // only file and stdin sources read bytes
		if s.Connector == "file" || s.Connector == "stdin" {
			bytes = size(s.Bytes)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\t%d\t%d\t%s\n", s.Name, s.Connector, s.RowsIn, bytes, s.Malformed, s.Late, ended)
	}
	if len(st.Operators) > 0 {
		head := "\noperators\tkind\trows in\trows out\tstate\twatermark\treads\t"
		if shares != nil {
			head += fmt.Sprintf("cpu (%.1fs profiled)", cpu.Seconds())
		}
		fmt.Fprintln(tw, head)
		for _, o := range st.Operators {
			state := "-" // held in the keyed-state store
			if o.State >= 0 {
				state = fmt.Sprint(o.State)
			}
			if o.Expired > 0 {
				state += fmt.Sprintf(" (%d expired)", o.Expired)
			}
			share := ""
			if shares != nil {
				share = fmt.Sprintf("%.1f%%", 100*shares[o.Name])
			}
			wm := ""
			if !o.Watermark.IsZero() {
				wm = o.Watermark.Format(time.RFC3339Nano)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\n", o.Name, o.Kind, o.RowsIn, o.RowsOut, state, wm, strings.Join(o.Inputs, ", "), share)
		}
		for _, k := range []string{shareLoops, shareConnectors, shareOther} {
			if shares != nil {
				fmt.Fprintf(tw, "  %s\t\t\t\t\t\t\t%.1f%%\n", k, 100*shares[k])
			}
		}
	}
	if len(st.State) > 0 {
		at := "at the last checkpoint"
		if st.Checkpoints.LastEpoch > 0 {
			at = fmt.Sprintf("at checkpoint %d", st.Checkpoints.LastEpoch)
		}
		fmt.Fprintf(tw, "\nstate (%s)\t\tbytes\t\t\t\t\n", at)
		for _, u := range st.State {
			b := "-" // no checkpoint yet
			if u.Bytes >= 0 {
				b = size(u.Bytes)
			}
			fmt.Fprintf(tw, "  %s\t\t%s\t\t\t\t\n", u.Name, b)
		}
	}
	fmt.Fprintln(tw, "\nsinks\tconnector\trows out\t\t\t\t")
	for _, s := range st.Sinks {
		fmt.Fprintf(tw, "  %s\t%s\t%d\t\t\t\t\n", s.Name, s.Connector, s.RowsOut)
	}
	tw.Flush()
	if cp := st.Checkpoints; cp.Enabled {
		fmt.Fprintf(w, "\ncheckpoints: %d", cp.Count)
		if cp.LastEpoch > 0 {
			fmt.Fprintf(w, ", last epoch %d in %.1fms (%s of state)", cp.LastEpoch, cp.LastDurationSeconds*1e3, size(cp.LastBytes))
		}
		fmt.Fprintln(w)
	}
	if st.WindowsClosed > 0 {
		fmt.Fprintf(w, "windows closed: %d, emit delay p50 %.0fµs, p99 %.0fµs\n", st.WindowsClosed, st.EmitDelayP50us, st.EmitDelayP99us)
	}
}

func size(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.1f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1f KB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d B", n)
}
