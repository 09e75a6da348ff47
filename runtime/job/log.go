package job

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
)

// Log formats of --log-format.
const (
	LogText = "text" // "laminar: <message>" lines, as a person reads them
	LogJSON = "json" // one JSON object per line: time, level, msg and fields
)

// NewLogger makes the job's logger: format is LogText or LogJSON, level the
// least level written. Lines go through the console, so that they clear the
// progress line first.
func newLogger(c *console, format string, level slog.Level) *slog.Logger {
	if format == LogJSON {
		return slog.New(slog.NewJSONHandler(consoleWriter{c}, &slog.HandlerOptions{Level: level}))
	}
	return slog.New(&textHandler{c: c, level: level})
}

// parseLogLevel reads --log-level.
func parseLogLevel(s string) (slog.Level, error) {
	var l slog.Level
	err := l.UnmarshalText([]byte(s))
	return l, err
}

// consoleWriter writes whole log lines under the progress line.
type consoleWriter struct{ c *console }

func (w consoleWriter) Write(p []byte) (int, error) {
	w.c.mu.Lock()
	defer w.c.mu.Unlock()
	if w.c.logTo != nil {
		return w.c.logTo.Write(p)
	}
	w.c.clearProgressLocked()
	return w.c.w.Write(p)
}

// textHandler writes "laminar: <message>": the message is a whole sentence
// that names what the attributes hold (they are there for JSON logs), so
// only the level is added, for errors and debug lines.
type textHandler struct {
	c     *console
	level slog.Level
}

func (h *textHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level }

func (h *textHandler) Handle(_ context.Context, r slog.Record) error {
	prefix := "laminar: "
	switch {
	case r.Level >= slog.LevelError:
		prefix += "error: "
	case r.Level < slog.LevelInfo:
		prefix += "debug: "
	}
	line := prefix + r.Message
	if r.Level < slog.LevelInfo {
		// debug lines come from libraries (badger): their fields are the message
		var b strings.Builder
		r.Attrs(func(a slog.Attr) bool {
			fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
			return true
		})
		line += b.String()
	}
	_, err := consoleWriter{h.c}.Write([]byte(line + "\n"))
	return err
}

func (h *textHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *textHandler) WithGroup(string) slog.Handler      { return h }

// pendingLog is a log line held back until the end of its batch: a batch's
// malformed records are found while decoding and its late ones while
// processing, and the lines are written in input order.
type pendingLog struct {
	line  int64 // 1 + the record's index in its batch; 0 for a row without one (it stays after the record before it)
	level slog.Level
	msg   string
	attrs []slog.Attr
}

// flushLogs writes the held-back lines of a batch in input order.
func (c *Context) flushLogs() {
	if len(c.pending) == 0 {
		return
	}
	last := int64(0)
	for i := range c.pending {
		if c.pending[i].line == 0 {
			c.pending[i].line = last
		}
		last = c.pending[i].line
	}
	slices.SortStableFunc(c.pending, func(a, b pendingLog) int {
		switch {
		case a.line < b.line:
			return -1
		case a.line > b.line:
			return 1
		}
		return 0
	})
	for _, p := range c.pending {
		c.log.LogAttrs(context.Background(), p.level, p.msg, p.attrs...)
	}
	clear(c.pending)
	c.pending = c.pending[:0]
}

// logLater holds a line until the end of the batch.
func (c *Context) logLater(line int64, level slog.Level, msg string, attrs ...slog.Attr) {
	c.pending = append(c.pending, pendingLog{line: line, level: level, msg: msg, attrs: attrs})
}

var _ io.Writer = consoleWriter{}

// logFile is --log-file: log lines are appended to it, and SIGHUP reopens
// it, so that logrotate can move it away (copytruncate is not needed).
type logFile struct {
	mu   sync.Mutex
	path string
	f    *os.File
}

func openLogFile(path string) (*logFile, error) {
	l := &logFile{path: path}
	return l, l.reopen()
}

func (l *logFile) reopen() error {
	f, err := os.OpenFile(l.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("log file: %w", err)
	}
	l.mu.Lock()
	old := l.f
	l.f = f
	l.mu.Unlock()
	if old != nil {
		old.Close()
	}
	return nil
}

func (l *logFile) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.f.Write(p)
}

func (l *logFile) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.f.Close()
}

// reopenOnHUP reopens l on every SIGHUP until stop is called.
func reopenOnHUP(l *logFile, log *slog.Logger) (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-ch:
				if err := l.reopen(); err != nil {
					log.Error(err.Error())
				}
			case <-done:
				return
			}
		}
	}()
	return func() { signal.Stop(ch); close(done) }
}
