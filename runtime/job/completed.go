package job

import (
	"os"
	"time"

	"github.com/laminar-sql/laminar/runtime/checkpoint"
	"github.com/laminar-sql/laminar/runtime/connector"
)

// A bounded job whose every source ended has its end in its newest
// checkpoint (each source Done). Started again on that state dir, it has
// nothing to do: it says so and exits 0, without reading its state (the
// checkpoint's manifest and sinks' records are read, not its state units) and
// without writing another checkpoint. Its exactly-once outputs are still
// recovered, since a crash may have come between the final checkpoint and
// the publication of its epoch.

// completedBy reports whether positions hold the end of every source of
// spec.
func completedBy(spec Spec, positions []checkpoint.SourcePos) bool {
	if len(spec.Sources) == 0 {
		return false
	}
	for _, s := range spec.Sources {
		found := false
		for _, p := range positions {
			if p.Name == s.Name {
				found = p.Done
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// reportCompleted logs that the job already completed, and any input
// appended to a file source since: it is not read, the pipeline's end of
// input (every window closed) is part of the saved state.
func (r *runner) reportCompleted(env connector.Env) {
	d := r.durable
	for _, s := range r.spec.Sources {
		if s.Connector != "file" {
			continue
		}
		for _, p := range d.cp.Sources {
			if p.Name != s.Name {
				continue
			}
			if info, err := os.Stat(env.Path(s.Options["path"])); err == nil && info.Size() > p.Offset {
				r.console.logf("source %s: %s has %d bytes more than the completed job read; they are not read (the job's input had ended: its windows are closed). Delete the state dir %s to run the job over the whole input",
					s.Name, env.Path(s.Options["path"]), info.Size()-p.Offset, d.dir)
			}
		}
	}
	r.console.logf("the job already completed: checkpoint %d of %s (taken %s) holds the end of all its input and its output is committed; nothing to do. Delete the state dir to run it again",
		d.cp.Epoch, d.store.Dir(), d.cp.Created.UTC().Format(time.RFC3339))
}
