package job

import "github.com/laminar-sql/laminar/runtime/connector"

// checkPaths refuses to start a job whose outputs (file sinks, the
// dead-letter and late files, --summary-json) share a file with each other
// or with a file source, before anything is opened: writing would truncate
// the input or interleave two outputs.
func checkPaths(spec Spec, opts Options, env connector.Env) error {
	var uses []connector.PathUse
	for _, s := range spec.Sources {
		if s.Connector == "file" && s.Options["path"] != "" {
			uses = append(uses, connector.PathUse{What: "source " + s.Name, Path: env.Path(s.Options["path"])})
		}
	}
	for _, s := range spec.Sinks {
		if s.Connector == "file" && s.Options["path"] != "" {
			uses = append(uses, connector.PathUse{What: "sink " + s.Name, Path: env.Path(s.Options["path"]), Output: true})
		}
	}
	for _, f := range []struct{ what, path string }{
		{"the dead-letter file (--dead-letter)", opts.DeadLetterPath},
		{"the late file (--late)", opts.LatePath},
		{"the summary file (--summary-json)", opts.SummaryJSON},
	} {
		if f.path != "" && f.path != "-" {
			uses = append(uses, connector.PathUse{What: f.what, Path: f.path, Output: true})
		}
	}
	return connector.CheckPaths(uses)
}
