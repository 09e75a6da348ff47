package job

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"github.com/laminar-sql/laminar/runtime/connector"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestParseFlags(t *testing.T) {
	spec := Spec{Name: "vwap"}
	defaults := Options{
		BaseDir:        ".",
		DeadLetterPath: "vwap.dead.jsonl",
		LatePath:       "vwap.late.jsonl",
		BatchSize:      DefaultBatchSize,
		MaxRecordBytes: connector.MaxLineBytes,
		LogFormat:      LogText,

		CheckpointInterval: DefaultCheckpointInterval,
	}
	tests := []struct {
		name     string
		args     []string
		terminal bool
		want     func(o *Options)
		wantErr  string
	}{
		{name: "defaults", want: func(o *Options) {}},
		{name: "auto progress on a terminal", terminal: true, want: func(o *Options) { o.Progress = true }},
		{name: "never on a terminal", args: []string{"--progress", "never"}, terminal: true, want: func(o *Options) {}},
		{name: "always", args: []string{"--progress=always"}, want: func(o *Options) { o.Progress = true }},
		{
			name: "every flag",
			args: []string{"--base-dir", "/data", "--dead-letter", "-", "--late", "l.jsonl",
				"--batch-size", "64", "--quiet", "--summary-json", "s.json"},
			want: func(o *Options) {
				o.BaseDir, o.DeadLetterPath, o.LatePath = "/data", "-", "l.jsonl"
				o.BatchSize, o.Quiet, o.SummaryJSON = 64, true, "s.json"
			},
		},
		{
			name: "durability flags",
			args: []string{"--state-dir", "/state", "--checkpoint-interval", "250ms", "--allow-state-reset"},
			want: func(o *Options) {
				o.StateDir, o.CheckpointInterval, o.AllowStateReset = "/state", 250*time.Millisecond, true
			},
		},
		{name: "bad checkpoint interval", args: []string{"--checkpoint-interval", "0s"}, wantErr: "invalid value 0s for flag -checkpoint-interval"},
		{name: "bad progress", args: []string{"--progress", "sometimes"}, wantErr: `invalid value "sometimes" for flag -progress`},
		{name: "bad batch size", args: []string{"--batch-size", "0"}, wantErr: "invalid value 0 for flag -batch-size"},
		{name: "not a number", args: []string{"--batch-size", "many"}, wantErr: "invalid value"},
		{name: "unknown flag", args: []string{"--threads", "4"}, wantErr: "flag provided but not defined"},
		{name: "argument", args: []string{"pipeline.sql"}, wantErr: `unexpected argument "pipeline.sql"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			got, err := parseFlags(spec, tc.args, &stderr, tc.terminal)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				if !strings.Contains(stderr.String(), "Usage: vwap [flags]") {
					t.Errorf("no usage after the error:\n%s", stderr.String())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := defaults
			tc.want(&want)
			got.configSource = nil
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestHelpShowsSQLAndFlags(t *testing.T) {
	spec := Spec{Name: "vwap", SQL: "CREATE SOURCE trades (x BIGINT);\n\nCREATE SINK out FROM trades;\n"}
	var stderr bytes.Buffer
	_, err := parseFlags(spec, []string{"--help"}, &stderr, false)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v, want flag.ErrHelp", err)
	}
	help := stderr.String()
	for _, want := range []string{
		"Usage: vwap [flags]",
		"    CREATE SOURCE trades (x BIGINT);\n\n    CREATE SINK out FROM trades;\n",
		"-dead-letter FILE", "-late FILE", "-base-dir DIR", "-batch-size", "-progress", "-quiet", "-summary-json FILE",
	} {
		if !strings.Contains(help, want) {
			t.Errorf("help lacks %q:\n%s", want, help)
		}
	}
}

func TestRunMainExitCodes(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "in.jsonl"), "a\nb\n")
	spec := Spec{
		Name:    "job",
		Sources: []SourceSpec{fileSource("in", "in.jsonl")},
		Sinks:   []SinkSpec{fileSink("out", "out.jsonl")},
	}
	summary := filepath.Join(dir, "summary.json")
	heap := filepath.Join(dir, "heap.prof")
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStderr string
	}{
		{"help", []string{"-h"}, ExitOK, "Usage: job"},
		{"bad flag", []string{"--nope"}, ExitUsage, "flag provided but not defined"},
		{"--http without the admin server", []string{"--http", "127.0.0.1:0"}, ExitUsage, "rebuild it with laminarc build --admin"},
		{"runtime failure", []string{"--base-dir", filepath.Join(dir, "elsewhere")}, ExitRuntime,
			"laminar: error: source in: open " + filepath.Join(dir, "elsewhere", "in.jsonl")},
		{"success", []string{"--base-dir", dir, "--summary-json", summary, "--memprofile", heap}, ExitOK,
			"laminar: done in"},
		{"--memprofile unwritable", []string{"--base-dir", dir, "--memprofile", filepath.Join(dir, "none", "heap.prof")}, ExitRuntime,
			"laminar: error: open " + filepath.Join(dir, "none", "heap.prof")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			var p *copyPipeline
			code := runMain(context.Background(), spec, newCopyFactory(t, spec, &p), nil, tc.args, &stderr, false)
			if code != tc.wantCode || !strings.Contains(stderr.String(), tc.wantStderr) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and %q", code, stderr.String(), tc.wantCode, tc.wantStderr)
			}
		})
	}
	if got := readFile(t, filepath.Join(dir, "out.jsonl")); !strings.Contains(got, `"value":"b"`) {
		t.Errorf("sink after the successful run: %q", got)
	}
	if _, err := os.Stat(summary); err != nil {
		t.Errorf("--summary-json: %v", err)
	}
	// a pprof profile is a gzipped protocol buffer
	if got := readFile(t, heap); !strings.HasPrefix(got, "\x1f\x8b") {
		t.Errorf("--memprofile wrote %d bytes, not a gzipped profile", len(got))
	}
}

// TestMainStopsGracefullyOnSignal runs a real job binary (testdata/echojob),
// feeds it a line, then interrupts it: it must write what it read, print the
// summary and exit ExitInterrupted.
func TestMainStopsGracefullyOnSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool:", err)
	}
	bin := filepath.Join(t.TempDir(), "echojob")
	build := exec.Command(goTool, "build", "-o", bin, "./testdata/echojob")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(bin, "--dead-letter", filepath.Join(t.TempDir(), "dead.jsonl"))
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			defer stdin.Close()
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// The job shows a row as soon as its batch is processed, long
			// before stdin ends.
			if _, err := stdin.Write([]byte("hello\n")); err != nil {
				t.Fatal(err)
			}
			line, err := bufio.NewReader(stdout).ReadString('\n')
			if err != nil || line != `{"value":"hello"}`+"\n" {
				t.Fatalf("first output line %q, %v", line, err)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			var exit *exec.ExitError
			if err := cmd.Wait(); !errors.As(err, &exit) || exit.ExitCode() != ExitInterrupted {
				t.Fatalf("exit: %v, want exit %d (interrupted)\nstderr:\n%s", err, ExitInterrupted, stderr.String())
			}
			if want := "laminar: interrupted after "; !strings.Contains(stderr.String(), want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
			}
		})
	}
}
