package job

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	"github.com/laminar-sql/laminar/runtime/connector"
)

// maxLoggedPerSource is how many malformed (and, separately, late) records of
// one source are logged on stderr; the rest are counted and summed up at the
// end. All of them go to the record files.
const maxLoggedPerSource = 10

// deadLetterRecord is one line of the dead-letter file.
type deadLetterRecord struct {
	Source string `json:"source"`
	Line   int64  `json:"line"`
	// Partition is set for a partitioned input (Kafka), whose Offset is then
	// the record's offset in that partition.
	Partition *int32 `json:"partition,omitempty"`
	Offset    int64  `json:"offset"`
	Error     string `json:"error"`
	Record    string `json:"record"`
	// Length and Truncated are set for a record longer than the limit:
	// Record holds only its first bytes.
	Length    int64 `json:"length,omitempty"`
	Truncated bool  `json:"truncated,omitempty"`
}

// lateRecord is one line of the late-data file.
type lateRecord struct {
	Source    string `json:"source"`
	Line      int64  `json:"line"`
	Partition *int32 `json:"partition,omitempty"`
	Offset    int64  `json:"offset"`
	View      string `json:"view"`
	Reason    string `json:"reason"`
	Record    string `json:"record"`
}

// recordLog is a JSON-lines file of records set aside (dead letters, late
// rows). It is created on first use, so a clean run leaves no empty files.
// Its first error is kept and stops the job at the end of the batch: records
// are never silently lost.
type recordLog struct {
	kind    string // "dead-letter", "late", for error messages
	path    string // "-" means stderr
	console *console

	f   *os.File
	w   *bufio.Writer
	enc *json.Encoder
	err error
	// epochs, with a state dir, makes the file exactly-once like a file
	// sink: records reach it when their checkpoint commits.
	epochs *connector.EpochFileSink
}

// makeDurable routes the log through an exactly-once file sink recovered
// to d's checkpoint, so that a replay after a crash neither repeats nor
// loses records. stderr ("-") stays at-least-once.
func (l *recordLog) makeDurable(d *durable) error {
	if l.path == "-" {
		return nil
	}
	name := deadLetterSinkName
	if l.kind == "late" {
		name = lateSinkName
	}
	s, err := connector.OpenEpochFile(l.path, d.sinkDir("records", l.kind), true)
	if err == nil {
		err = d.recoverSink(name, s)
	}
	if err != nil {
		return fmt.Errorf("%s file %s: %w", l.kind, l.path, err)
	}
	l.epochs = s
	return nil
}

// epochWriter adapts an EpochFileSink to io.Writer.
type epochWriter struct{ s *connector.EpochFileSink }

func (w epochWriter) Write(p []byte) (int, error) {
	if err := w.s.Write(p); err != nil {
		return 0, err
	}
	return len(p), nil
}

func newRecordLog(kind, path string, c *console) *recordLog {
	return &recordLog{kind: kind, path: path, console: c}
}

// where names the output in log lines.
func (l *recordLog) where() string {
	if l.path == "-" {
		return "stderr"
	}
	return l.path
}

func (l *recordLog) write(record any) {
	if l.err != nil {
		return
	}
	if l.enc == nil {
		l.open()
		if l.err != nil {
			return
		}
	}
	if err := l.enc.Encode(record); err != nil {
		l.err = fmt.Errorf("%s file %s: %w", l.kind, l.where(), err)
	}
}

func (l *recordLog) open() {
	if l.path == "-" {
		l.enc = json.NewEncoder(consoleWriter{l.console}) // under the progress line
	} else if l.epochs != nil {
		l.enc = json.NewEncoder(epochWriter{l.epochs})
	} else {
		f, err := os.Create(l.path)
		if err != nil {
			l.err = fmt.Errorf("%s file: %w", l.kind, err)
			return
		}
		l.f, l.w = f, bufio.NewWriter(f)
		l.enc = json.NewEncoder(l.w)
	}
	// Records are data, not HTML: keep '<', '>' and '&' readable.
	l.enc.SetEscapeHTML(false)
}

// close flushes and closes the file, if one was created, and reports the
// first error the log met.
func (l *recordLog) close() error {
	if l.epochs != nil {
		if err := l.epochs.Close(); err != nil && l.err == nil {
			l.err = fmt.Errorf("%s file %s: %w", l.kind, l.path, err)
		}
		l.epochs = nil
	}
	if l.f != nil {
		if err := l.w.Flush(); err != nil && l.err == nil {
			l.err = fmt.Errorf("%s file %s: %w", l.kind, l.path, err)
		}
		if err := l.f.Close(); err != nil && l.err == nil {
			l.err = fmt.Errorf("%s file %s: %w", l.kind, l.path, err)
		}
		l.f = nil
	}
	return l.err
}
