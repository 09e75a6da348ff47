// Package templates holds the text templates of a job's scaffolding: the
// main.go that starts the runtime, and the go.mod that ties the job to the
// runtime module laminarc was built from.
package templates

import (
	"bytes"
	"embed"
	"go/format"
	"strconv"
	"strings"
	"text/template"
)

//go:embed *.tmpl
var files embed.FS

var tmpl = template.Must(template.ParseFS(files, "*.tmpl"))

// Main is the data of main.go.
type Main struct {
	Name       string // job name, for the doc comment
	SourceFile string // the .sql file's base name
	// Connectors are the import paths of connector packages the job names
	// (runtime/connector/kafka ...): imported for their registration only.
	Connectors []string
	// Admin links the HTTP admin server (runtime/admin) for --http; it adds
	// net/http and the Prometheus client, which triple a small job's size.
	Admin bool
}

// MainGo renders main.go of a job.
func MainGo(d Main) ([]byte, error) {
	d.Name = sanitize(d.Name)
	d.SourceFile = sanitize(d.SourceFile)
	var b bytes.Buffer
	if err := tmpl.ExecuteTemplate(&b, "main.go.tmpl", d); err != nil {
		return nil, err
	}
	return format.Source(b.Bytes())
}

// GoMod is the data of go.mod.
type GoMod struct {
	Module         string // the job's module path
	RuntimeModule  string // github.com/laminar-sql/laminar
	RuntimeVersion string // a version, or v0.0.0 with RuntimeDir
	RuntimeDir     string // when set, a replace directive to this directory
	// Modules are the modules of the Go functions the pipeline calls
	// (CREATE FUNCTION … LANGUAGE GO), each required and, with Dir,
	// replaced by that directory.
	Modules []Module
}

// Module is one more module a job requires.
type Module struct {
	Path, Version, Dir string
}

// GoModFile renders go.mod of a job.
func GoModFile(d GoMod) ([]byte, error) {
	if d.RuntimeDir != "" {
		d.RuntimeDir = quotePath(d.RuntimeDir)
	}
	d.Modules = append([]Module(nil), d.Modules...)
	for i := range d.Modules {
		if d.Modules[i].Dir != "" {
			d.Modules[i].Dir = quotePath(d.Modules[i].Dir)
		}
	}
	var b bytes.Buffer
	if err := tmpl.ExecuteTemplate(&b, "go.mod.tmpl", d); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// sanitize keeps user text to one line of safe comment text.
func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || r == '\u2028' || r == '\u2029' || r == '\uFEFF' {
			return '_'
		}
		return r
	}, strings.ToValidUTF8(s, "_"))
}

// quotePath quotes a directory for go.mod when it holds spaces or quotes.
func quotePath(p string) string {
	if strings.ContainsAny(p, " \t\"'`\\") {
		return strconv.Quote(p)
	}
	return p
}

// Deploy is the data of the Dockerfile and the systemd unit of a job.
type Deploy struct {
	Name string // the job's (and its binary's) name
}

// DeployFiles renders the Dockerfile and <name>.service of a job.
func DeployFiles(d Deploy) (dockerfile, unit []byte, err error) {
	d.Name = sanitize(d.Name)
	var b1, b2 bytes.Buffer
	if err := tmpl.ExecuteTemplate(&b1, "Dockerfile.tmpl", d); err != nil {
		return nil, nil, err
	}
	if err := tmpl.ExecuteTemplate(&b2, "job.service.tmpl", d); err != nil {
		return nil, nil, err
	}
	return b1.Bytes(), b2.Bytes(), nil
}
