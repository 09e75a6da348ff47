package job

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

const runtimeModule = "github.com/laminar-sql/laminar"

// BuiltBy is the laminarc that built the job ("laminarc v1.2.0 (commit
// abc123)"), set by laminarc build with -ldflags -X; empty otherwise.
var BuiltBy string

// versionText is --version: the job, the runtime module it links (version,
// or the local checkout it was replaced by), the laminarc that built it and
// the Go toolchain.
func versionText(spec Spec) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (Laminar job)\n", spec.Name)
	fmt.Fprintf(&b, "runtime %s %s\n", runtimeModule, RuntimeVersion())
	if BuiltBy != "" {
		fmt.Fprintf(&b, "built by %s\n", BuiltBy)
	}
	fmt.Fprintf(&b, "%s %s/%s", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return b.String()
}

// RuntimeVersion is the version of the runtime module linked into this
// binary, with "=> DIR" when go.mod replaced it by a local checkout, or
// "devel" when the binary is built inside the runtime's own module.
func RuntimeVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	if bi.Main.Path == runtimeModule {
		return moduleVersion(bi.Main, bi.Settings)
	}
	for _, d := range bi.Deps {
		if d.Path == runtimeModule {
			if d.Replace != nil {
				return d.Version + " => " + d.Replace.Path
			}
			return d.Version
		}
	}
	return "unknown"
}

// moduleVersion is a main module's version with its VCS commit, when the
// build recorded them.
func moduleVersion(m debug.Module, settings []debug.BuildSetting) string {
	v := m.Version
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	var rev, modified string
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		v += " (commit " + rev
		if modified == "true" {
			v += ", modified"
		}
		v += ")"
	}
	return v
}
