package connector

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Env is what opening a connector may depend on besides its options.
type Env struct {
	// BaseDir is the directory that relative `path` options resolve against
	// (the directory of the .sql file); "" means the current directory.
	BaseDir string
	// Stdin and Stdout back the "stdin" source and the "stdout" sink; nil
	// means the process's own.
	Stdin  io.Reader
	Stdout io.Writer
	// MaxRecordBytes is the longest record a file or stdin source accepts;
	// 0 means MaxLineBytes. Longer ones are reported in LineBatch.Oversized.
	MaxRecordBytes int
	// StateDir is the job's state directory ("" without one): where a
	// source keeps what it must to resume (a CDC snapshot's spool).
	StateDir string
	// Logf reports what a connector has to say while it runs (a broker
	// that went away, a retry); nil means standard error.
	Logf func(format string, args ...any)
	// Nexmark holds the generators the job's Nexmark sources share; nil
	// gives each Nexmark source a generator of its own.
	Nexmark *NexmarkStreams
}

// Log reports a line through Logf.
func (e Env) Log(format string, args ...any) {
	if e.Logf != nil {
		e.Logf(format, args...)
		return
	}
	fmt.Fprintf(os.Stderr, "laminar: "+format+"\n", args...)
}

// Opener opens the sources and sinks of a connector that lives in a package
// of its own (Kafka, PostgreSQL), so that only jobs naming it link its
// dependencies: generated code imports the package, whose init registers it.
type Opener struct {
	// Source opens a source at a Position it reported before (the zero
	// Position for a fresh start); nil when the connector has no source.
	Source func(env Env, options map[string]string, at Position) (Source, error)
	// Sink opens a sink; with exactly-once true (a job with a state dir) it
	// returns an EpochSink keeping what it must in tempDir. nil when the
	// connector has no sink.
	Sink func(env Env, options map[string]string, exactlyOnce bool, tempDir string) (Sink, error)
}

var registered = map[string]Opener{}

// Register makes a connector known by name; called from a connector
// package's init.
func Register(name string, o Opener) { registered[name] = o }

// Path resolves a `path` option against BaseDir.
func (e Env) Path(p string) string {
	if filepath.IsAbs(p) || e.BaseDir == "" {
		return p
	}
	return filepath.Join(e.BaseDir, p)
}

// OpenSource opens the source named by a connector and its WITH options
// (keys lower-case): "file" (option path) or "stdin".
func OpenSource(env Env, connector string, options map[string]string) (Source, error) {
	switch connector {
	case "file":
		path, err := pathOption(env, connector, options)
		if err != nil {
			return nil, err
		}
		src, err := OpenFile(path, 0, 0)
		if err != nil {
			return nil, err
		}
		src.SetMaxLine(env.MaxRecordBytes)
		return src, nil
	case "stdin":
		in := env.Stdin
		if in == nil {
			in = os.Stdin
		}
		src := NewReaderSource(in, "stdin")
		src.SetMaxLine(env.MaxRecordBytes)
		return src, nil
	case "nexmark":
		return OpenNexmarkAt(env, options, 0)
	default:
		if o, ok := registered[connector]; ok && o.Source != nil {
			return o.Source(env, options, Position{})
		}
		return nil, fmt.Errorf("unknown source connector %q (want file, stdin or nexmark)", connector)
	}
}

// OpenSourceAt opens a source like OpenSource, resuming at a Position it
// reported before (a checkpoint's). "stdin" cannot be read again from its
// origin: resume it through a WALSource instead.
func OpenSourceAt(env Env, connector string, options map[string]string, at Position) (Source, error) {
	switch connector {
	case "file":
		path, err := pathOption(env, connector, options)
		if err != nil {
			return nil, err
		}
		src, err := openFileAt(path, at)
		if err != nil {
			return nil, err
		}
		src.SetMaxLine(env.MaxRecordBytes)
		return src, nil
	case "nexmark":
		return OpenNexmarkAt(env, options, at.Offset)
	case "stdin":
		return nil, fmt.Errorf("connector %q cannot resume from its origin; read it through a write-ahead log", connector)
	default:
		if o, ok := registered[connector]; ok && o.Source != nil {
			return o.Source(env, options, at)
		}
		return OpenSource(env, connector, options)
	}
}

// OpenEpochSink opens the exactly-once variant of a sink: "file" becomes an
// EpochFileSink keeping its uncommitted epochs in tempDir. Sinks without one
// ("stdout", "blackhole") are opened as by OpenSink: at-least-once, since
// the rows of an epoch a crash interrupted are written again.
func OpenEpochSink(env Env, connector string, options map[string]string, tempDir string) (Sink, error) {
	if o, ok := registered[connector]; ok && o.Sink != nil {
		return o.Sink(env, options, true, tempDir)
	}
	if connector != "file" {
		return OpenSink(env, connector, options)
	}
	path, err := pathOption(env, connector, options)
	if err != nil {
		return nil, err
	}
	return OpenEpochFile(path, tempDir, false)
}

// OpenSink opens the sink named by a connector and its WITH options:
// "file" (option path), "stdout" or "blackhole".
func OpenSink(env Env, connector string, options map[string]string) (Sink, error) {
	switch connector {
	case "file":
		path, err := pathOption(env, connector, options)
		if err != nil {
			return nil, err
		}
		return CreateFile(path)
	case "stdout":
		out := env.Stdout
		if out == nil {
			out = os.Stdout
		}
		return NewWriterSink(out), nil
	case "blackhole":
		return &Blackhole{}, nil
	default:
		if o, ok := registered[connector]; ok && o.Sink != nil {
			return o.Sink(env, options, false, "")
		}
		return nil, fmt.Errorf("unknown sink connector %q (want file, stdout or blackhole)", connector)
	}
}

func pathOption(env Env, connector string, options map[string]string) (string, error) {
	p := options["path"]
	if p == "" {
		return "", fmt.Errorf("connector %q needs the option path", connector)
	}
	return env.Path(p), nil
}
