package job

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// console is the job's stderr: log lines (through log), and the progress
// line that they clear first. The admin server logs from its own
// goroutines, hence the lock.
type console struct {
	w           io.Writer
	log         *slog.Logger // writes through this console; set by Run
	logTo       io.Writer    // --log-file, when set: log lines go there, not to w
	mu          sync.Mutex
	progressLen int // width of the progress line on screen, 0 when none
}

// logf logs one line at level info.
func (c *console) logf(format string, args ...any) {
	c.log.Info(fmt.Sprintf(format, args...))
}

// logAttrs logs one line with fields for JSON logs.
func (c *console) logAttrs(level slog.Level, msg string, attrs ...slog.Attr) {
	c.log.LogAttrs(context.Background(), level, msg, attrs...)
}

// progress replaces the progress line (no newline, so the next one
// overwrites it).
func (c *console) progress(line string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	pad := max(c.progressLen-len(line), 0)
	fmt.Fprintf(c.w, "\r%s%s", line, strings.Repeat(" ", pad))
	c.progressLen = len(line)
}

// clearProgress blanks the progress line, if any, without escape sequences,
// so the output stays readable when stderr is a file.
func (c *console) clearProgress() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clearProgressLocked()
}

func (c *console) clearProgressLocked() {
	if c.progressLen > 0 {
		fmt.Fprintf(c.w, "\r%s\r", strings.Repeat(" ", c.progressLen))
		c.progressLen = 0
	}
}

// progressMeter turns the running count of rows read into a progress line
// with the rate over the last interval.
type progressMeter struct {
	lastRows int64
	lastTime time.Time
}

func (m *progressMeter) line(rows int64, now time.Time) string {
	rate := 0.0
	if dt := now.Sub(m.lastTime).Seconds(); dt > 0 {
		rate = float64(rows-m.lastRows) / dt
	}
	m.lastRows, m.lastTime = rows, now
	return fmt.Sprintf("rows read %s (%s rows/s)", humanCount(float64(rows)), humanCount(rate))
}

// humanCount writes n with about two significant digits and a K, M or G
// suffix: 950, 1.2K, 350K, 1.2M.
func humanCount(n float64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.1fG", n/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1fM", n/1e6)
	case n >= 1e4:
		return fmt.Sprintf("%.0fK", n/1e3)
	case n >= 1e3:
		return fmt.Sprintf("%.1fK", n/1e3)
	default:
		return fmt.Sprintf("%.0f", n)
	}
}

// plural is "1 row", "2 rows".
func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
