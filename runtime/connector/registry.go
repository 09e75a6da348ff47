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
}

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
		return OpenFile(path, 0, 0)
	case "stdin":
		in := env.Stdin
		if in == nil {
			in = os.Stdin
		}
		return NewReaderSource(in, "stdin"), nil
	case "nexmark":
		return OpenNexmark(options)
	default:
		return nil, fmt.Errorf("unknown source connector %q (want file, stdin or nexmark)", connector)
	}
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
