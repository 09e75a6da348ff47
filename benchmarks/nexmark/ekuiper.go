package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/laminar-sql/laminar/runtime/nexmark"
)

// eKuiper is the Go peer engine (github.com/lf-edge/ekuiper), built by the
// wrapper module in benchmarks/nexmark/ekuiper as TOOLCHAIN.md describes and
// driven over its REST API on loopback.
const (
	ekuiperModule  = "github.com/lf-edge/ekuiper/v2"
	ekuiperVersion = "v2.4.0"
	ekuiperREST    = "http://127.0.0.1:9081"
	// ekuiperRate spreads eKuiper's fewer events over 100 s of event time per
	// million, so that its 10 s tumbling windows close (eKuiper never emits the
	// window still open at the end of its input).
	ekuiperRate = 10_000
)

type ekuiperReport struct {
	Version    string
	Err        string // why eKuiper could not be built or run at all
	Build      time.Duration
	Events     int64
	InputBytes int64
	Rules      []ekuiperRule
	Notes      []string
}

type ekuiperRule struct {
	Name    string
	SQL     string
	Options map[string]any
	Usage   usage
	RowsOut int64
	Check   string // "all N read, 0 exceptions"
	Err     string
}

// ekuiperRules are the rules run against eKuiper: q0, q1, q2 and a 10 s
// event-time tumbling count per auction, all over the stream of the bids
// file (a file of bids alone also spares the event_type filter, which
// eKuiper applies to a windowed rule after the window).
func ekuiperRules() []ekuiperRule {
	plain := map[string]any{"disableBufferFullDiscard": true}
	return []ekuiperRule{
		{Name: "q0", SQL: "SELECT auction, bidder, price, dateTime, extra FROM bids", Options: plain},
		{Name: "q1", SQL: "SELECT auction, bidder, 0.908 * price AS price, dateTime, extra FROM bids", Options: plain},
		{Name: "q2", SQL: "SELECT auction, price FROM bids WHERE auction % 123 = 0", Options: plain},
		{Name: "tumble_count", SQL: "SELECT auction, count(*) AS num FROM bids GROUP BY auction, TUMBLINGWINDOW(ss, 10)",
			Options: map[string]any{"disableBufferFullDiscard": true, "isEventTime": true, "lateTolerance": 0}},
	}
}

func runEKuiper(o options, work string, bids bidsFile) *ekuiperReport {
	rep := &ekuiperReport{Version: ekuiperVersion, Events: bids.Bids, InputBytes: bids.Bytes}
	dir := filepath.Join(work, "ekuiper")
	bin := filepath.Join(dir, "kuiperd")
	logf("eKuiper: building %s@%s (the first build takes minutes)", ekuiperModule, ekuiperVersion)
	start := time.Now()
	wrapper := filepath.Join(o.root, "benchmarks", "nexmark", "ekuiper")
	build := exec.Command("go", "build", "-mod=mod", "-trimpath", "-o", bin, ".")
	build.Dir = wrapper
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		rep.Err = fmt.Sprintf("go build of the wrapper module failed: %v: %s", err, tail(string(out), 500))
		return rep
	}
	rep.Build = time.Since(start)

	modDir, err := moduleDir(wrapper, ekuiperModule+"@"+ekuiperVersion)
	if err != nil {
		rep.Err = err.Error()
		return rep
	}
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		rep.Err = err.Error()
		return rep
	}
	// The very file the compiled jobs and DuckDB read.
	if err := os.Link(bids.Path, filepath.Join(data, "bids.jsonl")); err != nil {
		rep.Err = err.Error()
		return rep
	}
	rep.Notes = append(rep.Notes, fmt.Sprintf("eKuiper reads the same bids file as the same-file table above "+
		"(generated at rate %d events/s of event time, so that its %s events span %d s and its 10 s tumbling windows close); "+
		"the last window, still open at end of input, is never emitted by eKuiper. "+
		"`tumble_count` is the compiled table's q5_tumble.",
		ekuiperRate, count(bids.Events), bids.Events/ekuiperRate))

	for _, r := range ekuiperRules() {
		logf("eKuiper: rule %s", r.Name)
		runDir := filepath.Join(dir, "run-"+r.Name)
		if err := prepareRunDir(runDir, modDir, data); err != nil {
			rep.Err = err.Error()
			return rep
		}
		if err := runEKuiperRule(bin, runDir, bids.Bids, &r); err != nil {
			r.Err = errSummary(err)
			logf("eKuiper: rule %s: %v", r.Name, err)
		}
		if r.Err == "" && r.RowsOut == 0 {
			r.Check += "; **no rows emitted**"
			rep.Notes = append(rep.Notes, fmt.Sprintf("%s emitted no rows, so its figure is not a checked result.", r.Name))
		}
		rep.Rules = append(rep.Rules, r)
	}
	return rep
}

// moduleDir asks the go command where a module version sits in the module cache.
func moduleDir(dir, modVersion string) (string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", modVersion)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go mod download %s: %v", modVersion, err)
	}
	var m struct{ Dir string }
	if err := json.Unmarshal(out, &m); err != nil || m.Dir == "" {
		return "", fmt.Errorf("go mod download %s: no Dir in %q", modVersion, out)
	}
	return m.Dir, nil
}

// nexmarkJSON is one event as eKuiper reads it: Flink nexmark's event_type
// (0 person, 1 auction, 2 bid) and the kind's fields, times in ms.
type nexmarkJSON struct {
	EventType int `json:"event_type"`
	// bid
	Auction *int64  `json:"auction,omitempty"`
	Bidder  *int64  `json:"bidder,omitempty"`
	Price   *int64  `json:"price,omitempty"`
	Channel *string `json:"channel,omitempty"`
	URL     *string `json:"url,omitempty"`
	// person and auction
	ID           *int64  `json:"id,omitempty"`
	Name         *string `json:"name,omitempty"`
	EmailAddress *string `json:"emailAddress,omitempty"`
	CreditCard   *string `json:"creditCard,omitempty"`
	City         *string `json:"city,omitempty"`
	State        *string `json:"state,omitempty"`
	ItemName     *string `json:"itemName,omitempty"`
	Description  *string `json:"description,omitempty"`
	InitialBid   *int64  `json:"initialBid,omitempty"`
	Reserve      *int64  `json:"reserve,omitempty"`
	Expires      *int64  `json:"expires,omitempty"`
	Seller       *int64  `json:"seller,omitempty"`
	Category     *int64  `json:"category,omitempty"`
	// all
	DateTime int64  `json:"dateTime"`
	Extra    string `json:"extra"`
}

// writeEventsJSONL writes the generator's events (or its bids alone) as
// JSON lines and returns the file's size and the number of lines.
func writeEventsJSONL(path string, cfg nexmark.Config, bidsOnly bool) (size, lines int64, err error) {
	g, err := nexmark.NewGenerator(cfg)
	if err != nil {
		return 0, 0, err
	}
	f, err := os.Create(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	enc := json.NewEncoder(w)
	var ev nexmark.Event
	for g.Next(&ev) {
		if bidsOnly && ev.Kind != nexmark.KindBid {
			continue
		}
		lines++
		var j nexmarkJSON
		switch ev.Kind {
		case nexmark.KindPerson:
			p := ev.Person
			j = nexmarkJSON{EventType: 0, ID: &p.ID, Name: &p.Name, EmailAddress: &p.EmailAddress, CreditCard: &p.CreditCard,
				City: &p.City, State: &p.State, DateTime: p.DateTime / 1000, Extra: p.Extra}
		case nexmark.KindAuction:
			a := ev.Auction
			expires := a.Expires / 1000
			j = nexmarkJSON{EventType: 1, ID: &a.ID, ItemName: &a.ItemName, Description: &a.Description, InitialBid: &a.InitialBid,
				Reserve: &a.Reserve, Expires: &expires, Seller: &a.Seller, Category: &a.Category, DateTime: a.DateTime / 1000, Extra: a.Extra}
		case nexmark.KindBid:
			b := ev.Bid
			j = nexmarkJSON{EventType: 2, Auction: &b.Auction, Bidder: &b.Bidder, Price: &b.Price, Channel: &b.Channel, URL: &b.URL,
				DateTime: b.DateTime / 1000, Extra: b.Extra}
		}
		if err := enc.Encode(&j); err != nil {
			return 0, 0, err
		}
	}
	if err := w.Flush(); err != nil {
		return 0, 0, err
	}
	st, err := f.Stat()
	if err != nil {
		return 0, 0, err
	}
	return st.Size(), lines, nil
}

// prepareRunDir lays out an eKuiper home: etc/ copied from the module, the
// plugin folders it panics without, and a file-source configuration that
// reads data/nexmark.jsonl once, line by line.
func prepareRunDir(runDir, modDir, data string) error {
	if err := os.RemoveAll(runDir); err != nil {
		return err
	}
	if err := copyTree(filepath.Join(modDir, "etc"), filepath.Join(runDir, "etc")); err != nil {
		return err
	}
	for _, d := range []string{"sources", "sinks", "functions", "portable", "wasm"} {
		if err := os.MkdirAll(filepath.Join(runDir, "plugins", d), 0o755); err != nil {
			return err
		}
	}
	for _, d := range []string{"data", "log"} {
		if err := os.MkdirAll(filepath.Join(runDir, d), 0o755); err != nil {
			return err
		}
	}
	conf := fmt.Sprintf("\nnexmark:\n  fileType: lines\n  path: %s\n  interval: 0\n  sendInterval: 0\n", data)
	f, err := os.OpenFile(filepath.Join(runDir, "etc", "sources", "file.yaml"), os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(conf); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func copyTree(from, to string) error {
	return filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, path)
		if err != nil {
			return err
		}
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644) // module cache files are read-only
	})
}

// runEKuiperRule starts a server, creates the stream and the rule, waits for
// the rule to finish reading the file, checks its counters and stops the server.
func runEKuiperRule(bin, runDir string, events int64, r *ekuiperRule) error {
	logFile, err := os.Create(filepath.Join(runDir, "log", "server.out"))
	if err != nil {
		return err
	}
	defer logFile.Close()
	srv := exec.Command(bin)
	srv.Dir = runDir
	srv.Stdout, srv.Stderr = logFile, logFile
	srv.Env = append(os.Environ(), "KuiperBaseKey="+runDir,
		"KUIPER__BASIC__IP=127.0.0.1", "KUIPER__BASIC__RESTIP=127.0.0.1",
		"KUIPER__SOURCE__HTTPSERVERIP=127.0.0.1", "KUIPER__BASIC__PPROF=false")
	if err := srv.Start(); err != nil {
		return err
	}
	defer func() {
		srv.Process.Kill()
		srv.Wait()
	}()
	if err := waitForREST(30 * time.Second); err != nil {
		return fmt.Errorf("%v (server log: %s)", err, filepath.Join(runDir, "log", "server.out"))
	}
	stream := `CREATE STREAM bids () WITH (TYPE="file", FORMAT="json", DATASOURCE="bids.jsonl", CONF_KEY="nexmark", TIMESTAMP="dateTime")`
	if err := restPost("/streams", map[string]any{"sql": stream}); err != nil {
		return err
	}

	pid := srv.Process.Pid
	cpuBefore, err := processCPU(pid)
	if err != nil {
		return err
	}
	start := time.Now()
	rule := map[string]any{"id": r.Name, "sql": r.SQL, "actions": []any{map[string]any{"nop": map[string]any{"sendSingle": true}}}, "options": r.Options}
	if err := restPost("/rules", rule); err != nil {
		return err
	}
	status, err := waitForRule(r.Name, 30*time.Minute)
	if err != nil {
		return err
	}
	wall := time.Since(start)
	cpuAfter, err := processCPU(pid)
	if err != nil {
		return err
	}
	r.Usage = usage{Wall: wall, CPU: cpuAfter - cpuBefore, MaxRSSKB: processPeakRSS(pid)}

	read := metricSum(status, "source_", "_records_in_total")
	exceptions := metricSum(status, "", "_exceptions_total")
	r.RowsOut = metricSum(status, "sink_", "_records_in_total")
	r.Check = fmt.Sprintf("read %s of %s events, %d exceptions", count(read), count(events), exceptions)
	if read != events || exceptions != 0 {
		return fmt.Errorf("eKuiper %s", r.Check)
	}
	return nil
}

func waitForREST(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		resp, err := http.Get(ekuiperREST + "/ping")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("eKuiper's REST API did not answer on %s within %v", ekuiperREST, limit)
}

func restPost(path string, body any) error {
	data, err := json.Marshal(body)
	if err != nil {
		return err
	}
	resp, err := http.Post(ekuiperREST+path, "application/json", bytes.NewReader(data))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("POST %s: %s: %s", path, resp.Status, strings.TrimSpace(string(msg)))
	}
	return nil
}

// waitForRule polls the rule's status until it has stopped (a file stream
// read once stops its rule when the file is done) and returns the status.
func waitForRule(id string, limit time.Duration) (map[string]any, error) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		resp, err := http.Get(ekuiperREST + "/rules/" + id + "/status")
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		var status map[string]any
		if err := json.Unmarshal(data, &status); err != nil {
			return nil, fmt.Errorf("rule status %q: %v", tail(string(data), 300), err)
		}
		if s, _ := status["status"].(string); s == "stopped" {
			if msg := fmt.Sprint(status["message"]); msg != "" && !strings.Contains(strings.ToLower(msg), "done") {
				return status, fmt.Errorf("rule %s stopped: %s", id, msg)
			}
			return status, nil
		}
	}
	return nil, fmt.Errorf("rule %s did not finish within %v", id, limit)
}

// metricSum adds the numeric status metrics whose key has the prefix and suffix.
func metricSum(status map[string]any, prefix, suffix string) int64 {
	var sum int64
	for k, v := range status {
		if strings.HasPrefix(k, prefix) && strings.HasSuffix(k, suffix) {
			if f, ok := v.(float64); ok {
				sum += int64(f)
			}
		}
	}
	return sum
}

// processCPU is a running process's user + system time from /proc/PID/stat
// (the rusage of a child is only known once it has exited).
func processCPU(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name, which is in parentheses and may hold spaces.
	_, rest, ok := strings.Cut(string(data), ") ")
	if !ok {
		return 0, fmt.Errorf("unexpected /proc/%d/stat", pid)
	}
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0, fmt.Errorf("unexpected /proc/%d/stat", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64) // field 14 of stat
	stime, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("unexpected /proc/%d/stat", pid)
	}
	const clockTicks = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// processPeakRSS is a running process's peak resident set (VmHWM) in KiB.
func processPeakRSS(pid int) int64 {
	v := procField(fmt.Sprintf("/proc/%d/status", pid), "VmHWM")
	kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(v, "kB")), 10, 64)
	return kb
}
