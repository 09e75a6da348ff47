// Package udf checks the Go functions a pipeline declares with CREATE
// FUNCTION … LANGUAGE GO against their Go signatures, and finds the modules
// that hold them, so that a job can be linked with them. Unlike the rest of
// the compiler it runs the Go toolchain (go/packages runs go list): laminarc
// calls it after compiler.Compile, from the pipeline's directory.
package udf

import (
	"fmt"
	"go/types"
	"sort"
	"strings"

	"golang.org/x/tools/go/packages"

	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/compiler/plan"
	sqltypes "github.com/laminar-sql/laminar/compiler/types"
)

// Module is a Go module holding UDF packages: a job's go.mod requires it at
// Version, or replaces it by Dir (a module on this machine).
type Module struct {
	Path, Version, Dir string
	GoSum              string // the module's go.sum file, "" when none
}

// Resolve loads the packages of p's UDFs from dir (the pipeline's
// directory: its enclosing module must be able to import them), checks each
// function's signature and sets ReturnsError. It returns the modules to
// link and the diagnostics of every mismatch.
func Resolve(p *plan.Pipeline, dir string) ([]Module, []diag.Diagnostic) {
	if len(p.UDFs) == 0 {
		return nil, nil
	}
	var diags diag.List
	var paths []string
	seen := map[string]bool{}
	for _, u := range p.UDFs {
		if !seen[u.Package] {
			seen[u.Package] = true
			paths = append(paths, u.Package)
		}
	}
	cfg := &packages.Config{Mode: packages.NeedName | packages.NeedTypes | packages.NeedModule, Dir: dir}
	pkgs, err := packages.Load(cfg, paths...)
	if err != nil {
		d := diags.Errorf(diag.BadFunction, p.UDFs[0].Pos, "cannot load the Go packages of the functions: %v", err)
		d.Hint = "run laminarc from a Go module that can import them (go list " + strings.Join(paths, " ") + ")"
		return nil, diags.Items
	}
	byPath := map[string]*packages.Package{}
	for _, pkg := range pkgs {
		byPath[pkg.PkgPath] = pkg
	}
	mods := map[string]Module{}
	for _, u := range p.UDFs {
		pkg := byPath[u.Package]
		if pkg == nil || len(pkg.Errors) > 0 || pkg.Types == nil {
			msg := "not found"
			if pkg != nil && len(pkg.Errors) > 0 {
				msg = pkg.Errors[0].Msg
			}
			d := diags.Errorf(diag.BadFunction, u.Pos, "Go package %s does not load: %s", u.Package, msg)
			d.Hint = "the pipeline's directory must be in a Go module that requires (or is) the function's module"
			continue
		}
		if err := check(u, pkg.Types); err != "" {
			diags.Errorf(diag.BadFunction, u.Pos, "%s.%s %s", u.Package, u.Func, err)
			continue
		}
		if m := pkg.Module; m != nil {
			mod := Module{Path: m.Path, Version: m.Version, Dir: m.Dir}
			if m.Replace != nil {
				mod = Module{Path: m.Path, Version: m.Replace.Version, Dir: m.Replace.Dir}
			}
			if mod.Version != "" && (m.Replace == nil || m.Replace.Version != "") {
				mod.Dir = "" // a released version: required as is
			} else {
				mod.Version = "v0.0.0"
			}
			if gomod := m.GoMod; gomod != "" {
				mod.GoSum = strings.TrimSuffix(gomod, ".mod") + ".sum"
			}
			mods[mod.Path] = mod
		}
	}
	out := make([]Module, 0, len(mods))
	for _, m := range mods {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, diags.Items
}

// goTypeNames are the Go types of the SQL ones.
var goTypeNames = map[sqltypes.Kind]string{
	sqltypes.Int: "int64", sqltypes.Float: "float64", sqltypes.String: "string", sqltypes.Bool: "bool", sqltypes.Timestamp: "time.Time",
}

// goType is the Go type of SQL kind k: a DECIMAL(p, s) is a string, its
// exact text (any Go decimal library reads it; none is imposed).
func goType(k sqltypes.Kind) string {
	if k.IsDecimal() {
		return "string"
	}
	return goTypeNames[k]
}

// check compares u with the Go function's signature; it returns what is
// wrong, "" when nothing is.
func check(u *plan.UDF, pkg *types.Package) string {
	obj := pkg.Scope().Lookup(u.Func)
	fn, ok := obj.(*types.Func)
	if !ok {
		return "is not a function of the package"
	}
	sig := fn.Type().(*types.Signature)
	want := func() string {
		var ps []string
		for _, k := range u.Params {
			ps = append(ps, goType(k))
		}
		return fmt.Sprintf("func(%s) %s", strings.Join(ps, ", "), goType(u.Returns))
	}
	if sig.Recv() != nil || sig.TypeParams().Len() > 0 || sig.Variadic() {
		return "must be a plain function (no receiver, type parameters or ...): want " + want()
	}
	if sig.Params().Len() != len(u.Params) {
		return fmt.Sprintf("takes %d parameters, CREATE FUNCTION declares %d: want %s", sig.Params().Len(), len(u.Params), want())
	}
	for i, k := range u.Params {
		if got := typeName(sig.Params().At(i).Type()); got != goType(k) {
			return fmt.Sprintf("parameter %d is %s, not %s (the SQL type %s): want %s", i+1, got, goType(k), k, want())
		}
	}
	res := sig.Results()
	switch {
	case res.Len() == 2 && typeName(res.At(1).Type()) == "error":
		u.ReturnsError = true
	case res.Len() != 1:
		return "must return one value, or a value and an error: want " + want()
	}
	if got := typeName(res.At(0).Type()); got != goType(u.Returns) {
		return fmt.Sprintf("returns %s, not %s (the SQL type %s): want %s", got, goType(u.Returns), u.Returns, want())
	}
	return ""
}

func typeName(t types.Type) string {
	return types.TypeString(t, func(p *types.Package) string { return p.Path() })
}
