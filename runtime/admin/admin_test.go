package admin

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/laminar-sql/laminar/runtime/connector"
	"github.com/laminar-sql/laminar/runtime/job"
)

// echo copies each line to the sink and closes a "window" per batch, so
// that counters and the emit-delay histogram move while scrapes read them;
// its one operator, a join with state_ttl, counts each line as expired.
type echo struct {
	ctx     *job.Context
	expired *int64
}

func (e echo) ProcessLines(src int, b *connector.LineBatch) {
	w := e.ctx.Sinks[0]
	for _, line := range b.Lines {
		w.Buf = append(append(w.Buf, line...), '\n')
		w.Rows++
		*e.expired++
	}
	e.ctx.WindowClosed()
}

func (e echo) Operators(dst []job.OperatorStatus) []job.OperatorStatus {
	return append(dst, job.OperatorStatus{Name: "j", Kind: "left join", Inputs: []string{"source in"}, Expired: *e.expired})
}

func (echo) EndOfInput(int) {}

// TestScrapesWhileTheJobRuns reads /metrics and /status while a real run
// processes batches (make race runs it with the race detector), then
// checks the final counts.
func TestScrapesWhileTheJobRuns(t *testing.T) {
	in, feed := io.Pipe()
	var srv *httptest.Server
	ready := make(chan struct{})
	serve := func(addr, token string, m job.Monitor, log *slog.Logger) (func(), error) {
		srv = httptest.NewServer(Handler(m, token))
		close(ready)
		return srv.Close, nil
	}
	spec := job.Spec{Name: "echo", Sources: []job.SourceSpec{{Name: "in", Connector: "stdin"}},
		Sinks: []job.SinkSpec{{Name: "out", Connector: "blackhole"}}}
	done := make(chan job.Summary)
	go func() {
		sum, err := job.Run(context.Background(), spec, func(ctx *job.Context) job.Pipeline { return echo{ctx, new(int64)} },
			job.Options{HTTPAddr: "127.0.0.1:0", Admin: serve, Stdin: in, Stderr: io.Discard, Quiet: true, BatchSize: 7})
		if err != nil {
			t.Error(err)
		}
		done <- sum
	}()
	<-ready
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			for _, path := range []string{"/metrics", "/status"} {
				resp, err := http.Get(srv.URL + path)
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}
	})
	for range 2000 {
		io.WriteString(feed, "x\n")
	}
	// scrape once more before the input ends: the server stops with the run
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	close(stop)
	wg.Wait()
	feed.Close()
	sum := <-done
	if sum.RowsIn() != 2000 || sum.WindowsClosed == 0 || len(sum.Operators) != 1 || sum.Operators[0].Expired != 2000 {
		t.Errorf("summary %+v", sum)
	}
	for _, want := range []string{`laminar_source_rows_total{source="in"}`, `laminar_operator_state_expired_total{operator="j"}`, "laminar_window_emit_delay_seconds_bucket", `laminar_job_info{job="echo"`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q:\n%s", want, body)
		}
	}
}
