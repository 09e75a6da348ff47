package codegen

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Split lays a large pipeline's generated code out in several packages, so
// that the Go build cache recompiles only the package of a view that changed
// (and the main package, which calls into it), not the code of every view.
//
// The split is a rewrite of the rendered single-package file: each group of
// GroupSize consecutive operators moves to a package ops<N> of its own —
// their types, their functions, and their methods on the engine, which become
// methods on the group's struct Ops<N>, a field ops<N> of the engine (so the
// source loops, checkpoints and status tables in main call p.ops0.RowOp7,
// p.ops0.SaveOp7 and read p.ops0.Op7; a field, not embedded, as embedding
// would make the compiler write a wrapper for every method); the source row types and the
// other declarations those need move to a package rows. An operator whose code
// reads anything else of the engine (another operator's state, a lookup
// table) stays in main, as does every operator of a pipeline with fewer than
// MinOps operators: small pipelines keep their code, fused loops included,
// byte for byte.
type Split struct {
	// Module is the import path of the job's main package (its go.mod
	// module); the packages are Module/rows and Module/ops0, ops1 ...
	Module    string
	MinOps    int // split only pipelines with at least this many operators
	GroupSize int // operators per package

	// Files are the files of the packages besides main, by path relative to
	// the main package's directory (ops0/ops.go); set by Generate.
	Files map[string][]byte
}

// Default split: pipelines of 16 operators and more, 8 operators a package.
const (
	DefaultSplitMinOps    = 16
	DefaultSplitGroupSize = 8
)

// opNamePattern finds the operator an identifier belongs to: op7, op7Key,
// rowOp7, saveOp7Groups (not op71).
var opNamePattern = regexp.MustCompile(`(?:^|[a-z])[oO]p([0-9]+)(?:[A-Z_]|$)`)

// finish ends Generate: the fused lines table, and the split when asked.
func (g *generator) finish(src []byte, opts Options) ([]byte, error) {
	sp := opts.Split
	if !g.splits(opts) {
		return fillFusedLines(src), nil
	}
	size := sp.GroupSize
	if size <= 0 {
		size = DefaultSplitGroupSize
	}
	rowTypes := map[string]int{}
	for _, o := range g.ops {
		rowTypes[o.rowType] = o.idx
	}
	sourceFuncs := map[string]bool{}
	for _, si := range g.sources {
		sourceFuncs["fire"+si.goName] = true
		sourceFuncs["flush"+si.goName] = true
	}
	main, files, err := splitFile(src, sp.Module, size, rowTypes, sourceFuncs)
	if err != nil {
		return nil, fmt.Errorf("codegen: splitting into packages: %w", err)
	}
	if files == nil { // nothing moved: the file as it is, formatted
		if main, err = format.Source(main); err != nil {
			return nil, fmt.Errorf("codegen: %w", err)
		}
	}
	sp.Files = files
	return fillFusedLines(main), nil
}

// splits reports whether Generate splits the pipeline into packages.
func (g *generator) splits(opts Options) bool {
	sp := opts.Split
	return sp != nil && sp.Module != "" && len(g.ops) >= max(sp.MinOps, 1)
}

// splitter holds the parsed single-package file while it is split.
type splitter struct {
	src  []byte
	fset *token.FileSet
	file *ast.File
	off  func(token.Pos) int

	decls    map[*ast.Object]ast.Decl // top-level objects and their declarations
	declName map[ast.Decl]string      // a top-level declaration's (first) name
	topNames map[string]bool
	owner    map[string]int // top-level or engine member name -> operator, -1: none
	fields   map[string]*ast.Field
	methods  map[string]*ast.FuncDecl // methods of *engine
	engine   *ast.TypeSpec
	engDecl  *ast.GenDecl
	imports  map[string]string // package name -> import path

	rows   string         // the shared package's name: rows, unless the code uses that name
	group  map[int]int    // operator -> group, for operators that move
	pkgOf  map[string]int // top-level name -> group (>= 0), or rowsPkg
	moving []string       // engine fields that move
	// exportFields are the unexported fields of moving struct types that
	// code staying in main reads (an updating aggregate's acc.dirty, set in
	// main's fused source loop): exported, at their declaration and every use
	exportFields map[string]bool

	outlinedSigs map[int]map[string]string // group -> outlined method -> its parameters
}

const rowsPkg = -2

func exported(name string) string { return strings.ToUpper(name[:1]) + name[1:] }

func opsPkg(g int) string { return fmt.Sprintf("ops%d", g) }

// groupType is the struct of package ops<g>'s state: Ops<g>.
func groupType(g int) string { return fmt.Sprintf("Ops%d", g) }

// splitFile splits src; it returns main's file and the others. A file that
// does not split (no operator can move) comes back as is, with no others.
func splitFile(src []byte, module string, size int, rowTypes map[string]int, sourceFuncs map[string]bool) ([]byte, map[string][]byte, error) {
	s := &splitter{src: src, fset: token.NewFileSet(), decls: map[*ast.Object]ast.Decl{}, declName: map[ast.Decl]string{},
		topNames: map[string]bool{}, owner: map[string]int{}, fields: map[string]*ast.Field{}, methods: map[string]*ast.FuncDecl{},
		imports: map[string]string{}, group: map[int]int{}, pkgOf: map[string]int{}, outlinedSigs: map[int]map[string]string{}}
	f, err := parser.ParseFile(s.fset, "pipeline.go", src, parser.ParseComments)
	if err != nil {
		return nil, nil, err
	}
	s.file = f
	tf := s.fset.File(f.Pos())
	s.off = func(p token.Pos) int { return tf.Offset(p) }
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		name := path[strings.LastIndex(path, "/")+1:]
		if imp.Name != nil {
			name = imp.Name.Name
		}
		s.imports[name] = path
	}
	ownerOf := func(name string) int {
		if i, ok := rowTypes[name]; ok {
			return i
		}
		own := -1
		for _, m := range opNamePattern.FindAllStringSubmatch(name, -1) {
			i, _ := strconv.Atoi(m[1])
			if own >= 0 && own != i {
				return -1 // two operators' (a join of both): stays
			}
			own = i
		}
		for rt, i := range rowTypes { // appendV7Row
			if j := strings.Index(name, rt); j > 0 && name[j-1] >= 'a' && name[j-1] <= 'z' && (j+len(rt) == len(name) || name[j+len(rt)] >= 'A' && name[j+len(rt)] <= 'Z') {
				if own >= 0 && own != i {
					return -1
				}
				own = i
			}
		}
		return own
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv != nil {
				recv := recvType(d)
				if recv == "engine" {
					s.methods[d.Name.Name] = d
					s.owner[d.Name.Name] = ownerOf(d.Name.Name)
				}
				continue
			}
			s.declName[d] = d.Name.Name
			s.topNames[d.Name.Name] = true
			if d.Name.Obj != nil {
				s.decls[d.Name.Obj] = d
			}
			s.owner[d.Name.Name] = ownerOf(d.Name.Name)
		case *ast.GenDecl:
			if d.Tok == token.IMPORT {
				continue
			}
			for _, spec := range d.Specs {
				var names []*ast.Ident
				switch sp := spec.(type) {
				case *ast.TypeSpec:
					names = []*ast.Ident{sp.Name}
					if sp.Name.Name == "engine" {
						s.engine, s.engDecl = sp, d
					}
				case *ast.ValueSpec:
					names = sp.Names
				}
				for _, n := range names {
					if n.Name == "_" {
						continue
					}
					if _, ok := s.declName[d]; !ok {
						s.declName[d] = n.Name
					}
					s.topNames[n.Name] = true
					if n.Obj != nil {
						s.decls[n.Obj] = d
					}
					// a declaration of several names belongs to an operator only if all do
					if len(d.Specs) > 1 || len(names) > 1 {
						s.owner[n.Name] = -1
					} else {
						s.owner[n.Name] = ownerOf(n.Name)
					}
				}
			}
		}
	}
	if s.engine == nil {
		return src, nil, nil
	}
	st, ok := s.engine.Type.(*ast.StructType)
	if !ok {
		return src, nil, nil
	}
	for _, fl := range st.Fields.List {
		for _, n := range fl.Names {
			if len(fl.Names) == 1 {
				s.fields[n.Name] = fl
				s.owner[n.Name] = ownerOf(n.Name)
			}
		}
	}
	// methods on types other than engine go where their type goes
	typeMethods := map[string][]*ast.FuncDecl{}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv != nil && recvType(fd) != "engine" {
			typeMethods[recvType(fd)] = append(typeMethods[recvType(fd)], fd)
		}
	}

	// Operators in groups of size, in order; then drop those that read
	// what they cannot see from their package, until none does.
	var opIdx []int
	seen := map[int]bool{}
	for _, o := range s.owner {
		if o >= 0 && !seen[o] {
			seen[o] = true
			opIdx = append(opIdx, o)
		}
	}
	sort.Ints(opIdx)
	for i, o := range opIdx {
		s.group[o] = i / size
	}
	// a type with methods moves only if they are all exported (main may call them)
	for t, ms := range typeMethods {
		for _, m := range ms {
			if !ast.IsExported(m.Name.Name) || s.owner[t] < 0 {
				delete(s.group, s.owner[t])
			}
		}
	}
	for {
		shared := s.sharedDecls()
		bad := -1
		for _, d := range f.Decls {
			o := s.declOwner(d)
			if _, moves := s.group[o]; !moves {
				continue
			}
			if !s.canMove(d, s.group[o], shared) {
				bad = o
				break
			}
		}
		if bad < 0 {
			s.assign(shared)
			s.findExportFields()
			break
		}
		delete(s.group, bad)
	}
	if len(s.group) == 0 {
		return src, nil, nil
	}
	// package names no identifier of the code shadows
	used := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			used[id.Name] = true
		}
		return true
	})
	for _, name := range []string{"rows", "jobrows", "laminarrows"} {
		if !used[name] {
			s.rows = name
			break
		}
	}
	for _, g := range s.group {
		if used[opsPkg(g)] {
			s.rows = ""
		}
	}
	if s.rows == "" {
		return src, nil, nil
	}
	return s.render(module, typeMethods, sourceFuncs)
}

func recvType(fd *ast.FuncDecl) string {
	t := fd.Recv.List[0].Type
	if st, ok := t.(*ast.StarExpr); ok {
		t = st.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// declOwner is the operator a top-level declaration belongs to, or -1.
func (s *splitter) declOwner(d ast.Decl) int {
	if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv != nil {
		if recvType(fd) == "engine" {
			return s.owner[fd.Name.Name]
		}
		return s.owner[recvType(fd)]
	}
	if name, ok := s.declName[d]; ok {
		return s.owner[name]
	}
	return -1
}

// refs calls top for every top-level object n references and member for
// every p.X of the engine receiver; bare is called when the receiver is
// used other than as p.X.
func (s *splitter) refs(n ast.Node, recv *ast.Object, top func(*ast.Ident, ast.Decl), member func(*ast.SelectorExpr), bare func()) {
	ast.Inspect(n, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.SelectorExpr:
			if id, ok := x.X.(*ast.Ident); ok && recv != nil && id.Obj == recv {
				member(x)
				return false
			}
		case *ast.Ident:
			if recv != nil && x.Obj == recv && x.Pos() != recv.Pos() {
				bare()
			}
			if x.Obj != nil {
				if d, ok := s.decls[x.Obj]; ok {
					top(x, d)
				}
			}
		}
		return true
	})
}

func recvObj(d ast.Decl) *ast.Object {
	if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv != nil && recvType(fd) == "engine" && len(fd.Recv.List[0].Names) == 1 {
		return fd.Recv.List[0].Names[0].Obj
	}
	return nil
}

// sharedDecls are the top-level declarations that are no operator's and
// refer to nothing of the engine: the source row types, helper types and
// variables. Those the moving operators use go to package rows.
func (s *splitter) sharedDecls() map[ast.Decl]bool {
	ok := map[ast.Decl]bool{}
	for _, d := range s.file.Decls {
		if fd, isFunc := d.(*ast.FuncDecl); isFunc && fd.Recv != nil {
			continue
		}
		name, named := s.declName[d]
		if !named || s.owner[name] >= 0 || name == "engine" || name == "newEngine" || name == "New" || name == "fusedLines" {
			continue
		}
		if _, hasMethods := s.methodsOf(name); hasMethods {
			continue
		}
		ok[d] = true
	}
	for changed := true; changed; {
		changed = false
		for d := range ok {
			s.refs(d, nil, func(_ *ast.Ident, to ast.Decl) {
				if to != d && !ok[to] && ok[d] {
					delete(ok, d)
					changed = true
				}
			}, nil, nil)
		}
	}
	return ok
}

func (s *splitter) methodsOf(typ string) ([]*ast.FuncDecl, bool) {
	var out []*ast.FuncDecl
	for _, d := range s.file.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv != nil && recvType(fd) == typ {
			out = append(out, fd)
		}
	}
	return out, len(out) > 0
}

// canMove reports whether declaration d can move to group grp: everything
// it refers to moves with it or is shared, and of the engine it reads only
// its group's members and ctx.
func (s *splitter) canMove(d ast.Decl, grp int, shared map[ast.Decl]bool) bool {
	ok := true
	recv := recvObj(d)
	s.refs(d, recv, func(id *ast.Ident, to ast.Decl) {
		if to == d || shared[to] {
			return
		}
		if to == s.engDecl && recv != nil && id.Obj.Name == "engine" {
			return // the receiver's type
		}
		if g, moves := s.group[s.declOwner(to)]; !moves || g != grp {
			splitDebug("%s: refers to %s", s.declName[d]+recvName(d), id.Name)
			ok = false
		}
	}, func(sel *ast.SelectorExpr) {
		name := sel.Sel.Name
		if name == "ctx" {
			return
		}
		if _, isMember := s.fields[name]; !isMember {
			if _, isMember = s.methods[name]; !isMember {
				splitDebug("%s: reads unknown p.%s", s.declName[d]+recvName(d), name)
				ok = false
				return
			}
		}
		if g, moves := s.group[s.owner[name]]; !moves || g != grp {
			splitDebug("%s: reads p.%s", s.declName[d]+recvName(d), name)
			ok = false
		}
	}, func() { splitDebug("%s: uses p", s.declName[d]+recvName(d)); ok = false })
	return ok
}

// assign records where every moving name goes.
func (s *splitter) assign(shared map[ast.Decl]bool) {
	// the shared declarations some moving declaration uses (and theirs)
	need := map[ast.Decl]bool{}
	var visit func(d ast.Decl)
	visit = func(d ast.Decl) {
		s.refs(d, recvObj(d), func(_ *ast.Ident, to ast.Decl) {
			if shared[to] && !need[to] {
				need[to] = true
				visit(to)
			}
		}, func(*ast.SelectorExpr) {}, func() {})
	}
	for _, d := range s.file.Decls {
		if _, moves := s.group[s.declOwner(d)]; moves {
			visit(d)
		}
	}
	for _, d := range s.file.Decls {
		if need[d] {
			for _, n := range s.namesOf(d) {
				s.pkgOf[n] = rowsPkg
			}
		}
	}
	for name, o := range s.owner {
		if g, moves := s.group[o]; moves {
			if _, isField := s.fields[name]; isField {
				s.moving = append(s.moving, name)
			}
			s.pkgOf[name] = g
		}
	}
	sort.Strings(s.moving)
}

// declPkg is the package top-level declaration d moves to, if it moves.
func (s *splitter) declPkg(d ast.Decl) (to int, moves bool) {
	to = -1
	for _, n := range s.namesOf(d) {
		if t, ok := s.pkgOf[n]; ok {
			to, moves = t, true
		}
	}
	if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv != nil {
		name := fd.Name.Name
		if recvType(fd) != "engine" {
			name = recvType(fd)
		}
		to, moves = s.pkgOf[name]
	}
	return to, moves
}

// findExportFields sets exportFields: the unexported field names of the
// struct types that move which a declaration staying in main selects.
// Generated code reaches no unexported field of the runtime's types, so a
// selector of such a name is one of those fields, or of a generated struct
// type declaring the same name: every declaration of it is exported too.
func (s *splitter) findExportFields() {
	moved := map[string]bool{}
	for _, d := range s.file.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.TYPE {
			continue
		}
		if _, moves := s.declPkg(d); !moves {
			continue
		}
		ast.Inspect(gd, func(n ast.Node) bool {
			if st, ok := n.(*ast.StructType); ok {
				for _, fl := range st.Fields.List {
					for _, id := range fl.Names {
						if !ast.IsExported(id.Name) && id.Name != "_" {
							moved[id.Name] = true
						}
					}
				}
			}
			return true
		})
	}
	s.exportFields = map[string]bool{}
	if len(moved) == 0 {
		return
	}
	for _, d := range s.file.Decls {
		if _, moves := s.declPkg(d); moves {
			continue
		}
		ast.Inspect(d, func(n ast.Node) bool {
			if x, ok := n.(*ast.SelectorExpr); ok && moved[x.Sel.Name] {
				_, isField := s.fields[x.Sel.Name]
				_, isMethod := s.methods[x.Sel.Name]
				if !isField && !isMethod {
					s.exportFields[x.Sel.Name] = true
				}
			}
			return true
		})
	}
}

// isType reports whether top-level name is a type.
func (s *splitter) isType(name string) bool {
	for obj := range s.decls {
		if obj.Name == name {
			return obj.Kind == ast.Typ
		}
	}
	return false
}

func (s *splitter) namesOf(d ast.Decl) []string {
	var out []string
	switch d := d.(type) {
	case *ast.FuncDecl:
		out = append(out, d.Name.Name)
	case *ast.GenDecl:
		for _, spec := range d.Specs {
			switch sp := spec.(type) {
			case *ast.TypeSpec:
				out = append(out, sp.Name.Name)
			case *ast.ValueSpec:
				for _, n := range sp.Names {
					out = append(out, n.Name)
				}
			}
		}
	}
	return out
}

// edit replaces src[from:to].
type edit struct {
	from, to int
	text     string
	covers   bool // replaces its range as a whole: the edits inside it are dropped (dropCovered)
}

func applyEdits(src []byte, from, to int, edits []edit) []byte {
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].from < edits[j].from })
	var b bytes.Buffer
	at := from
	for _, e := range edits {
		if e.from < at || e.to > to {
			continue
		}
		b.Write(src[at:e.from])
		b.WriteString(e.text)
		at = e.to
	}
	b.Write(src[at:to])
	return b.Bytes()
}

// declRange is d's text with its doc comment.
func (s *splitter) declRange(d ast.Decl) (int, int) {
	from := d.Pos()
	switch d := d.(type) {
	case *ast.FuncDecl:
		if d.Doc != nil {
			from = d.Doc.Pos()
		}
	case *ast.GenDecl:
		if d.Doc != nil {
			from = d.Doc.Pos()
		}
	}
	end := s.off(d.End())
	if end < len(s.src) && s.src[end] == '\n' {
		end++
	}
	return s.off(from), end
}

// renames are the edits of the identifiers in n, seen from package pkg
// (-1: main).
func (s *splitter) renames(n ast.Node, pkg int) []edit {
	var edits []edit
	rename := func(id *ast.Ident, text string) {
		edits = append(edits, edit{s.off(id.Pos()), s.off(id.End()), text, false})
	}
	qualify := func(name string) string {
		to, moves := s.pkgOf[name]
		switch {
		case !moves:
			return name
		case to == pkg:
			return exported(name)
		case to == rowsPkg && pkg == -1 && s.isType(name):
			return name // main keeps an alias
		case to == rowsPkg:
			return s.rows + "." + exported(name)
		default:
			return opsPkg(to) + "." + exported(name)
		}
	}
	ast.Inspect(n, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.StructType:
			for _, fl := range x.Fields.List {
				for _, id := range fl.Names {
					if s.exportFields[id.Name] {
						rename(id, exported(id.Name))
					}
				}
			}
		case *ast.CompositeLit:
			for _, e := range x.Elts {
				if kv, ok := e.(*ast.KeyValueExpr); ok {
					if id, ok := kv.Key.(*ast.Ident); ok && s.exportFields[id.Name] {
						rename(id, exported(id.Name))
					}
				}
			}
		case *ast.SelectorExpr:
			name := x.Sel.Name
			_, isField := s.fields[name]
			_, isMethod := s.methods[name]
			if s.exportFields[name] && !isField && !isMethod {
				rename(x.Sel, exported(name))
			} else if isField || isMethod {
				if g, moves := s.pkgOf[name]; moves && pkg == -1 {
					// main reaches the group's members through its field, not embedded:
					// embedding would make the compiler write a wrapper for every method
					rename(x.Sel, opsPkg(g)+"."+exported(name))
				} else if moves {
					rename(x.Sel, exported(name))
				} else if pkg >= 0 && name == "ctx" {
					rename(x.Sel, "Ctx")
				}
			}
		case *ast.Ident:
			if x.Obj == nil {
				return true
			}
			d, ok := s.decls[x.Obj]
			if !ok {
				return true
			}
			if d == s.engDecl && x.Name == "engine" {
				if pkg >= 0 {
					rename(x, groupType(pkg))
				}
				return true
			}
			if q := qualify(x.Name); q != x.Name {
				rename(x, q)
			}
		}
		return true
	})
	return edits
}

func (s *splitter) render(module string, typeMethods map[string][]*ast.FuncDecl, sourceFuncs map[string]bool) ([]byte, map[string][]byte, error) {
	header := string(s.src[:s.off(s.file.Package)])
	groups := map[int]bool{}
	for _, g := range s.group {
		groups[g] = true
	}
	var groupIDs []int
	for g := range groups {
		groupIDs = append(groupIDs, g)
	}
	sort.Ints(groupIDs)
	bodies := map[int]*bytes.Buffer{rowsPkg: {}}
	for _, g := range groupIDs {
		bodies[g] = &bytes.Buffer{}
	}
	// each group's struct: the engine fields of its operators, and ctx
	for _, g := range groupIDs {
		b := bodies[g]
		fmt.Fprintf(b, "// %s is the state of the operators of this package, a field of the job's engine.\n", groupType(g))
		fmt.Fprintf(b, "type %s struct {\n\tCtx *job.Context\n", groupType(g))
		for _, name := range s.moving {
			if s.pkgOf[name] != g {
				continue
			}
			fl := s.fields[name]
			from, to := s.fieldRange(fl)
			b.WriteString("\t")
			edits := append(s.renames(fl, g), edit{s.off(fl.Names[0].Pos()), s.off(fl.Names[0].End()), exported(name), false})
			b.Write(applyEdits(s.src, from, to, edits))
			b.WriteString("\n")
		}
		b.WriteString("}\n\n")
	}
	var mainEdits []edit
	for _, d := range s.file.Decls {
		if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.IMPORT {
			from, to := s.declRange(d)
			mainEdits = append(mainEdits, edit{from, to, "@@IMPORTS@@\n", false})
			continue
		}
		to, moves := s.declPkg(d)
		if !moves {
			mainEdits = append(mainEdits, s.renames(d, -1)...)
			continue
		}
		from, end := s.declRange(d)
		alias := ""
		if to == rowsPkg {
			for _, n := range s.namesOf(d) {
				if s.isType(n) {
					alias += fmt.Sprintf("type %s = %s.%s\n", n, s.rows, exported(n))
				}
			}
		}
		mainEdits = append(mainEdits, edit{from, end, alias, false})
		edits := s.renames(d, to)
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv != nil {
			edits = append(edits, edit{s.off(fd.Name.Pos()), s.off(fd.Name.End()), exported(fd.Name.Name), false})
		}
		bodies[to].Write(applyEdits(s.src, from, end, edits))
		bodies[to].WriteString("\n")
	}
	// main: the moved fields leave the engine, which holds the groups
	st := s.engine.Type.(*ast.StructType)
	for _, name := range s.moving {
		from, to := s.fieldRange(s.fields[name])
		// the whole line: its indentation and newline too
		for from > 0 && s.src[from-1] == '\t' {
			from--
		}
		if to < len(s.src) && s.src[to] == '\n' {
			to++
		}
		mainEdits = append(mainEdits, edit{from, to, "", true})
	}
	var embed strings.Builder
	for _, g := range groupIDs {
		fmt.Fprintf(&embed, "\t%s %s.%s\n", opsPkg(g), opsPkg(g), groupType(g))
	}
	close := s.off(st.Fields.Closing)
	mainEdits = append(mainEdits, edit{close, close, embed.String(), false})
	// the per-operator statements of newEngine, Prune and Operators that
	// touch a group's state move into methods of the group: in main they
	// would make the compiler instantiate the state's generic methods
	// (window.Windows[ops3.Op27Key, ...]) once more for every operator
	for _, d := range s.file.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		name, ordered := "", false
		switch {
		case fd.Recv == nil && fd.Name.Name == "newEngine":
			name = "Init"
		case fd.Recv != nil && recvType(fd) == "engine" && (fd.Name.Name == "Prune" || fd.Name.Name == "Operators"):
			name = fd.Name.Name
		case fd.Recv != nil && recvType(fd) == "engine" && sourceFuncs[fd.Name.Name]:
			// fireTrades, flushTrades: in order, each group's operators at once
			name, ordered = exported(fd.Name.Name), true
		case fd.Recv != nil && recvType(fd) == "engine" && strings.HasPrefix(fd.Name.Name, "Process"):
			// the row loops: see outlineLoop
		case fd.Recv != nil && recvType(fd) == "engine" && (fd.Name.Name == "SaveState" || fd.Name.Name == "LoadState"):
			// the checkpoint's switches: see outlineSwitch
		default:
			continue
		}
		outs := s.outline(fd, name, ordered)
		if name == "" {
			outs = append(s.outlineLoop(fd), s.outlineSwitch(fd)...)
		}
		for _, o := range outs {
			mainEdits = append(mainEdits, edit{o.from, o.to, o.call, true})
			for _, r := range o.removed {
				// the whole line
				for r[0] > 0 && s.src[r[0]-1] == '\t' {
					r[0]--
				}
				if r[1] < len(s.src) && s.src[r[1]] == '\n' {
					r[1]++
				}
				mainEdits = append(mainEdits, edit{r[0], r[1], "", true})
			}
			bodies[o.group].WriteString(o.method)
		}
	}
	// newEngine hands the groups the job's context
	ctxSet := false
	for _, d := range s.file.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Recv != nil || fd.Name.Name != "newEngine" || fd.Body == nil || len(fd.Body.List) == 0 {
			continue
		}
		if as, ok := fd.Body.List[0].(*ast.AssignStmt); ok && len(as.Lhs) == 1 && len(fd.Type.Params.List) == 1 {
			p := as.Lhs[0].(*ast.Ident).Name
			ctx := fd.Type.Params.List[0].Names[0].Name
			var set strings.Builder
			for _, g := range groupIDs {
				fmt.Fprintf(&set, "\n\t%s.%s.Ctx = %s", p, opsPkg(g), ctx)
			}
			end := s.off(as.End())
			mainEdits = append(mainEdits, edit{end, end, set.String(), false})
			ctxSet = true
		}
	}
	if !ctxSet {
		return s.src, nil, nil
	}
	mainSrc := applyEdits(s.src, 0, len(s.src), dropCovered(mainEdits))
	mainSrc = s.behindInterfaces(mainSrc, groupIDs, bodies)
	extra := map[string]string{}
	for _, g := range groupIDs {
		extra[opsPkg(g)] = module + "/" + opsPkg(g)
	}
	if bodies[rowsPkg].Len() > 0 {
		extra[s.rows] = module + "/" + s.rows
	}
	mainOut, err := s.finishFile(mainSrc, extra)
	if err != nil {
		return nil, nil, fmt.Errorf("main: %w", err)
	}
	files := map[string][]byte{}
	for _, g := range append([]int{rowsPkg}, groupIDs...) {
		pkg := s.rows
		if g != rowsPkg {
			pkg = opsPkg(g)
		}
		if bodies[g].Len() == 0 {
			continue
		}
		text := header + "package " + pkg + "\n\n@@IMPORTS@@\n" + bodies[g].String()
		deps := map[string]string{}
		if g != rowsPkg {
			if p, ok := extra[s.rows]; ok {
				deps[s.rows] = p
			}
		}
		out, err := s.finishFile([]byte(text), deps)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", pkg, err)
		}
		files[pkg+"/"+pkg+".go"] = out
	}
	return mainOut, files, nil
}

// behindInterfaces has the engine hold each group whose members main only
// calls methods of as the group's interface Ops, not as its struct: when the
// compiler reads a struct of main's (the engine) it reads the types of its
// fields, and for every instantiation of a generic type among them
// (window.Windows[ops3.Op27Key, ops3.Op27Acc]) it compiles a wrapper of each
// of its methods into main, once more in every build after an edit. Behind an
// interface, main sees only the methods' signatures. It returns main's text;
// a group's interface and constructor go to its body.
func (s *splitter) behindInterfaces(mainSrc []byte, groupIDs []int, bodies map[int]*bytes.Buffer) []byte {
	probe := bytes.Replace(mainSrc, []byte("@@IMPORTS@@"), nil, 1)
	f, err := parser.ParseFile(token.NewFileSet(), "", probe, 0)
	if err != nil {
		return mainSrc // finishFile reports it
	}
	isGroup := map[string]int{}
	for _, g := range groupIDs {
		isGroup[opsPkg(g)] = g
	}
	called := map[int]map[string]bool{}
	ok := map[int]bool{}
	for _, g := range groupIDs {
		ok[g], called[g] = true, map[string]bool{}
	}
	// p.ops3.M(...) is a call; p.ops3.Ctx = ctx is newEngine's own; any
	// other use of a group's members keeps the group's struct in main
	calls := map[*ast.SelectorExpr]bool{}
	ctxSets := map[*ast.SelectorExpr]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.CallExpr:
			if sel, isSel := x.Fun.(*ast.SelectorExpr); isSel {
				calls[sel] = true
			}
		case *ast.AssignStmt:
			if sel, isSel := x.Lhs[0].(*ast.SelectorExpr); isSel && len(x.Lhs) == 1 && sel.Sel.Name == "Ctx" {
				ctxSets[sel] = true
			}
		}
		return true
	})
	ast.Inspect(f, func(n ast.Node) bool {
		sel, isSel := n.(*ast.SelectorExpr)
		if !isSel {
			return true
		}
		inner, isSel := sel.X.(*ast.SelectorExpr)
		if !isSel {
			if id, isID := sel.X.(*ast.Ident); isID && id.Obj == nil {
				if g, isPkg := isGroup[id.Name]; isPkg && sel.Sel.Name != groupType(g) {
					ok[g] = false // ops3.SomeType or function
				}
			}
			return true
		}
		g, isGrp := isGroup[inner.Sel.Name]
		if !isGrp {
			return true
		}
		switch {
		case ctxSets[sel]:
		case calls[sel]:
			called[g][sel.Sel.Name] = true
		default:
			ok[g] = false
		}
		return true
	})
	origOf := map[string]string{} // exported method name in its group -> engine method
	for name := range s.methods {
		if _, moves := s.pkgOf[name]; moves {
			origOf[exported(name)] = name
		}
	}
	for _, g := range groupIDs {
		if !ok[g] {
			continue
		}
		// the package must not have names of its own the interface takes
		clash := false
		for name, to := range s.pkgOf {
			if to == g && (exported(name) == "Ops" || exported(name) == "New") {
				clash = true
			}
		}
		var sigs []string
		for name := range called[g] {
			if params, isOutlined := s.outlinedSigs[g][name]; isOutlined {
				sigs = append(sigs, name+params)
				continue
			}
			orig, isMethod := origOf[name]
			if !isMethod || s.pkgOf[orig] != g {
				clash = true
				break
			}
			fd := s.methods[orig]
			from, to := s.off(fd.Type.Params.Pos()), s.off(fd.Type.End())
			sigs = append(sigs, name+string(applyEdits(s.src, from, to, s.renames(fd.Type, g))))
		}
		if clash {
			continue
		}
		sort.Slice(sigs, func(i, j int) bool { return numberedLess(sigs[i], sigs[j]) })
		b := bodies[g]
		fmt.Fprintf(b, "// Ops is what the job's engine calls of the operators of this package. The engine holds\n")
		fmt.Fprintf(b, "// them as an Ops, not an %s, so that compiling it does not compile again the methods of\n", groupType(g))
		fmt.Fprintf(b, "// their state's generic types (the compiler does for every type of a struct it reads).\n")
		fmt.Fprintf(b, "type Ops interface {\n")
		for _, sig := range sigs {
			fmt.Fprintf(b, "\t%s\n", sig)
		}
		fmt.Fprintf(b, "}\n\n")
		fmt.Fprintf(b, "// New returns the operators of this package over the job's context. It is not inlined,\n")
		fmt.Fprintf(b, "// so that the engine does not see the type %s (see Ops).\n//\n//go:noinline\n", groupType(g))
		fmt.Fprintf(b, "func New(ctx *job.Context) Ops {\n\treturn &%s{Ctx: ctx}\n}\n\n", groupType(g))
		field := fmt.Sprintf("\t%s %s.%s\n", opsPkg(g), opsPkg(g), groupType(g))
		mainSrc = bytes.Replace(mainSrc, []byte(field), []byte(fmt.Sprintf("\t%s %s.Ops\n", opsPkg(g), opsPkg(g))), 1)
		set := regexp.MustCompile(`\n\t(\w+)\.` + opsPkg(g) + `\.Ctx = (\w+)\n`)
		mainSrc = set.ReplaceAll(mainSrc, []byte("\n\t$1."+opsPkg(g)+" = "+opsPkg(g)+".New($2)\n"))
	}
	return mainSrc
}

// numberedLess orders names by their text up to the first number, then by
// the number: FireOp96 before FireOp100.
func numberedLess(a, b string) bool {
	split := func(s string) (string, int, string) {
		i := strings.IndexAny(s, "0123456789")
		if i < 0 {
			return s, -1, ""
		}
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		n, _ := strconv.Atoi(s[i:j])
		return s[:i], n, s[j:]
	}
	ap, an, ar := split(a)
	bp, bn, br := split(b)
	if ap != bp {
		return ap < bp
	}
	if an != bn {
		return an < bn
	}
	return ar < br
}

// fieldRange is a field's text with its comments.
func (s *splitter) fieldRange(fl *ast.Field) (int, int) {
	from, to := s.off(fl.Pos()), s.off(fl.End())
	if fl.Doc != nil {
		from = s.off(fl.Doc.Pos())
	}
	if fl.Comment != nil {
		to = s.off(fl.Comment.End())
	}
	return from, to
}

// dropCovered drops the edits inside a covering edit's range (a statement
// replaced or removed as a whole, whose renames no longer apply); of equal
// covering edits, the last one made stays. One sort, not a scan per cover.
func dropCovered(edits []edit) []edit {
	type cover struct{ from, to, idx int }
	var covers []cover
	for i, e := range edits {
		if e.covers {
			covers = append(covers, cover{e.from, e.to, i})
		}
	}
	if len(covers) == 0 {
		return edits
	}
	sort.Slice(covers, func(i, j int) bool {
		a, b := covers[i], covers[j]
		if a.from != b.from {
			return a.from < b.from
		}
		if a.to != b.to {
			return a.to > b.to
		}
		return a.idx > b.idx
	})
	dropped := map[int]bool{}
	reach := -1 // the furthest end of the covers before, in this order
	for _, c := range covers {
		if reach >= c.to {
			dropped[c.idx] = true
		}
		reach = max(reach, c.to)
	}
	// the furthest end of a cover starting at or before a point
	reachAt := make([]int, len(covers))
	for i, c := range covers {
		reachAt[i] = c.to
		if i > 0 {
			reachAt[i] = max(reachAt[i], reachAt[i-1])
		}
	}
	out := edits[:0]
	for i, e := range edits {
		if e.covers {
			if !dropped[i] {
				out = append(out, e)
			}
			continue
		}
		// an insertion stays: it is made after the covers it touches
		k := sort.Search(len(covers), func(k int) bool { return covers[k].from > e.from }) - 1
		if k >= 0 && reachAt[k] >= e.to && e.from < e.to {
			continue
		}
		out = append(out, e)
	}
	return out
}

// finishFile writes the import block of the packages text uses and gofmts
// it.
func (s *splitter) finishFile(text []byte, extra map[string]string) ([]byte, error) {
	probe := bytes.Replace(text, []byte("@@IMPORTS@@"), nil, 1)
	f, err := parser.ParseFile(token.NewFileSet(), "", probe, 0)
	if err != nil {
		return nil, err
	}
	used := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && id.Obj == nil {
				used[id.Name] = true
			}
		}
		return true
	})
	var paths []string
	named := map[string]string{}
	for name, path := range s.imports {
		if used[name] {
			paths = append(paths, path)
			if path[strings.LastIndex(path, "/")+1:] != name {
				named[path] = name
			}
		}
	}
	for name, path := range extra {
		if used[name] {
			paths = append(paths, path)
		}
	}
	sort.Strings(paths)
	var imp strings.Builder
	if len(paths) > 0 {
		imp.WriteString("import (\n")
		for _, p := range paths {
			if n, ok := named[p]; ok {
				fmt.Fprintf(&imp, "\t%s %q\n", n, p)
			} else {
				fmt.Fprintf(&imp, "\t%q\n", p)
			}
		}
		imp.WriteString(")\n")
	}
	return format.Source(bytes.Replace(text, []byte("@@IMPORTS@@\n"), []byte(imp.String()), 1))
}

var splitDebug = func(string, ...any) {}

func recvName(d ast.Decl) string {
	if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv != nil {
		return fd.Name.Name
	}
	return ""
}

// outlined is a group's statements of a main function, moved to a method.
type outlined struct {
	group    int
	from, to int      // the first statement, replaced by call
	removed  [][2]int // the others
	call     string
	method   string
}

// outline finds, among the top-level statements of fd, those that read or
// write one group's members of the engine and nothing else of it, and
// whose other names are fd's parameters or locals fd never assigns after
// declaring them (var x T, x := len(y)): every group's such statements move,
// in order, to one method of the group, called where the first was. Only
// for functions whose per-operator statements are independent of each
// other (newEngine, Prune, Operators).
func (s *splitter) outline(fd *ast.FuncDecl, name string, ordered bool) []outlined {
	if name == "" {
		return nil
	}
	var eng *ast.Object
	body := fd.Body.List
	if fd.Recv != nil {
		eng = recvObj(fd)
	} else if as, ok := body[0].(*ast.AssignStmt); ok && len(as.Lhs) == 1 {
		if id, ok := as.Lhs[0].(*ast.Ident); ok {
			eng = id.Obj
		}
	}
	if eng == nil {
		return nil
	}
	inFunc := func(o *ast.Object) bool {
		if o == nil || o == eng {
			return false
		}
		if n, ok := o.Decl.(ast.Node); ok {
			return n.Pos() >= fd.Pos() && n.End() <= fd.End()
		}
		return false
	}
	// parameters and the read-only locals a statement may use
	type local struct {
		obj   *ast.Object
		typ   string // parameter or var type
		decl  string // for a var without value: copied
		order int
	}
	locals := map[*ast.Object]*local{}
	order := 0
	for _, fl := range fd.Type.Params.List {
		for _, n := range fl.Names {
			locals[n.Obj] = &local{obj: n.Obj, typ: string(s.src[s.off(fl.Type.Pos()):s.off(fl.Type.End())]), order: order}
			order++
		}
	}
	assigned := assignCounts(fd.Body)
	for _, st := range body {
		switch x := st.(type) {
		case *ast.DeclStmt: // var drop []int32
			if gd, ok := x.Decl.(*ast.GenDecl); ok && gd.Tok == token.VAR && len(gd.Specs) == 1 {
				vs := gd.Specs[0].(*ast.ValueSpec)
				if len(vs.Names) == 1 && len(vs.Values) == 0 && vs.Type != nil && assigned[vs.Names[0].Obj] == 0 {
					locals[vs.Names[0].Obj] = &local{obj: vs.Names[0].Obj, decl: string(s.src[s.off(x.Pos()):s.off(x.End())]), order: order}
					order++
				}
			}
		case *ast.AssignStmt: // n := len(dst)
			if x.Tok == token.DEFINE && len(x.Lhs) == 1 && len(x.Rhs) == 1 {
				id, _ := x.Lhs[0].(*ast.Ident)
				call, _ := x.Rhs[0].(*ast.CallExpr)
				if id != nil && call != nil && assigned[id.Obj] == 1 {
					if fn, ok := call.Fun.(*ast.Ident); ok && (fn.Name == "len" || fn.Name == "cap") && fn.Obj == nil {
						locals[id.Obj] = &local{obj: id.Obj, typ: "int", order: order}
						order++
					}
				}
			}
		}
	}
	type run struct {
		stmts []ast.Stmt
		uses  map[*ast.Object]bool
	}
	runs := map[int]*run{}
	var groupsSeen []int
	stmtGroup := make([]int, len(body)) // the group of each statement that can move, or -1
	for si, st := range body {
		stmtGroup[si] = -1
		grp, ok := -1, true
		uses := map[*ast.Object]bool{}
		ast.Inspect(st, func(n ast.Node) bool {
			if !ok {
				return false
			}
			switch x := n.(type) {
			case *ast.FuncLit:
				ok = false // a closure could return from anywhere: not worth it
			case *ast.ReturnStmt, *ast.LabeledStmt:
				ok = false
			case *ast.BranchStmt:
				ok = x.Label == nil && x.Tok != token.GOTO
			case *ast.SelectorExpr:
				if id, isID := x.X.(*ast.Ident); isID && id.Obj == eng {
					g, moves := s.pkgOf[x.Sel.Name]
					_, isField := s.fields[x.Sel.Name]
					_, isMethod := s.methods[x.Sel.Name]
					if !moves || g < 0 || !(isField || isMethod) || (grp >= 0 && g != grp) {
						ok = false
					}
					grp = g
					return false
				}
			case *ast.Ident:
				if x.Obj == eng {
					ok = false
				}
				if inFunc(x.Obj) && !(x.Obj.Decl != nil && within(x.Obj.Decl, st)) {
					if _, known := locals[x.Obj]; !known {
						ok = false
					}
					uses[x.Obj] = true
				}
				if x.Obj != nil {
					if d, isTop := s.decls[x.Obj]; isTop {
						if to, moves := s.pkgOf[s.declName[d]]; moves && to >= 0 && grp >= 0 && to != grp {
							ok = false
						}
						if _, moves := s.pkgOf[s.declName[d]]; !moves && d != s.engDecl {
							ok = false // something of main's
						}
					}
				}
			}
			return true
		})
		if !ok || grp < 0 {
			continue
		}
		stmtGroup[si] = grp
		r := runs[grp]
		if r == nil {
			r = &run{uses: map[*ast.Object]bool{}}
			runs[grp] = r
			groupsSeen = append(groupsSeen, grp)
		}
		r.stmts = append(r.stmts, st)
		for o := range uses {
			r.uses[o] = true
		}
	}
	// a parameter assigned after a group's first statement would be seen
	// with its value there: not that group's
	for g, r := range runs {
		first := r.stmts[0].Pos()
		late := false
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			if as, ok := n.(*ast.AssignStmt); ok && as.Pos() >= first {
				for _, l := range as.Lhs {
					if id, ok := l.(*ast.Ident); ok && r.uses[id.Obj] {
						late = true
					}
				}
			}
			return !late
		})
		if late {
			delete(runs, g)
		}
	}
	// in a function whose statements run in an order that matters
	// (firing windows, emitting changes), a group moves only if its
	// statements are next to each other
	if ordered {
		first, last := map[int]int{}, map[int]int{}
		for si, g := range stmtGroup {
			if _, seen := first[g]; !seen {
				first[g] = si
			}
			last[g] = si
		}
		for g := range runs {
			for si := first[g]; si <= last[g]; si++ {
				if stmtGroup[si] != g {
					delete(runs, g)
					break
				}
			}
		}
	}
	kept := groupsSeen[:0]
	for _, g := range groupsSeen {
		if runs[g] != nil {
			kept = append(kept, g)
		}
	}
	groupsSeen = kept
	engName := eng.Name
	var out []outlined
	// a copied var main no longer uses leaves main
	moved := map[ast.Stmt]bool{}
	for _, r := range runs {
		for _, st := range r.stmts {
			moved[st] = true
		}
	}
	var dead [][2]int
	for _, st := range body {
		ds, ok := st.(*ast.DeclStmt)
		if !ok {
			continue
		}
		vs, ok := ds.Decl.(*ast.GenDecl).Specs[0].(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || locals[vs.Names[0].Obj] == nil || locals[vs.Names[0].Obj].decl == "" {
			continue
		}
		obj, usedInMain := vs.Names[0].Obj, false
		for _, other := range body {
			if other == st || moved[other] {
				continue
			}
			ast.Inspect(other, func(n ast.Node) bool {
				if id, ok := n.(*ast.Ident); ok && id.Obj == obj {
					usedInMain = true
				}
				return !usedInMain
			})
		}
		if !usedInMain && len(runs) > 0 {
			dead = append(dead, [2]int{s.off(st.Pos()), s.off(st.End())})
		}
	}
	for _, g := range groupsSeen {
		r := runs[g]
		var used []*local
		for o := range r.uses {
			used = append(used, locals[o])
		}
		sort.Slice(used, func(i, j int) bool { return used[i].order < used[j].order })
		var params, args []string
		var decls strings.Builder
		for _, l := range used {
			if l.decl != "" {
				decls.WriteString("\t" + l.decl + "\n")
				continue
			}
			params = append(params, l.obj.Name+" "+l.typ)
			args = append(args, l.obj.Name)
		}
		var m strings.Builder
		fmt.Fprintf(&m, "// %s is the part of the engine's %s for the operators of this package.\n", name, fd.Name.Name)
		fmt.Fprintf(&m, "func (%s *%s) %s(%s) {\n%s", engName, groupType(g), name, strings.Join(params, ", "), decls.String())
		o := outlined{group: g}
		for i, st := range r.stmts {
			from, to := s.off(st.Pos()), s.off(st.End())
			m.WriteString("\t")
			m.Write(applyEdits(s.src, from, to, s.renames(st, g)))
			m.WriteString("\n")
			if i == 0 {
				o.from, o.to = from, to
			} else {
				o.removed = append(o.removed, [2]int{from, to})
			}
		}
		m.WriteString("}\n\n")
		if len(out) == 0 {
			o.removed = append(o.removed, dead...)
		}
		o.method = m.String()
		o.call = fmt.Sprintf("%s.%s.%s(%s)", engName, opsPkg(g), name, strings.Join(args, ", "))
		if s.outlinedSigs[g] == nil {
			s.outlinedSigs[g] = map[string]string{}
		}
		s.outlinedSigs[g][name] = "(" + strings.Join(params, ", ") + ")"
		out = append(out, o)
	}
	return out
}

// within reports whether declaration decl is inside node n.
func within(decl any, n ast.Node) bool {
	d, ok := decl.(ast.Node)
	return ok && d.Pos() >= n.Pos() && d.End() <= n.End()
}

// outlineLoop moves, out of the row loops of a source (ProcessTrades, and
// ProcessPart for the workers), each group's calls of its operators: a
// group's consecutive statements
//
//	if p.ops0.RowOp0(r, wm) {
//		p.lateTrades(b, lines, ri, r, "v0")
//	}
//	p.ops0.RowOp2(r)
//
// become one call of a method of the group, named as the engine's function,
// which returns the views that found the row late:
//
//	for _, view := range p.ops0.ProcessTrades(r, wm) {
//		p.lateTrades(b, lines, ri, r, view)
//	}
//
// Main then calls one method per group and row, not one per operator, and
// reports late rows in the same order. Arguments must be constants or
// locals of the loop that it assigns once, before.
func (s *splitter) outlineLoop(fd *ast.FuncDecl) []outlined {
	eng := recvObj(fd)
	if eng == nil {
		return nil
	}
	for _, taken := range []string{"view", "late"} {
		clash := false
		ast.Inspect(fd, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && id.Name == taken {
				clash = true
			}
			return !clash
		})
		if clash {
			return nil
		}
	}
	var out []outlined
	for _, st := range fd.Body.List {
		loop, ok := st.(*ast.RangeStmt)
		if !ok {
			continue
		}
		out = append(out, s.outlineLoopBody(fd, eng, loop.Body)...)
	}
	return out
}

// loopStmt is a statement of a row loop that calls one operator.
type loopStmt struct {
	group    int
	call     *ast.CallExpr // p.rowOp0(r, wm)
	view     string        // "v0", the view reported late when call is true
	late     string        // p.lateTrades(b, lines, ri, r, : the report up to the view
	lateCall *ast.CallExpr
}

func (s *splitter) outlineLoopBody(fd *ast.FuncDecl, eng *ast.Object, body *ast.BlockStmt) []outlined {
	text := func(n ast.Node) string { return string(s.src[s.off(n.Pos()):s.off(n.End())]) }
	// the loop's locals assigned once (r := &rows[ri], wm := ...)
	assigns := assignCounts(fd.Body)
	opCall := func(e ast.Expr) (*ast.CallExpr, int) {
		call, ok := e.(*ast.CallExpr)
		if !ok {
			return nil, -1
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return nil, -1
		}
		if id, ok := sel.X.(*ast.Ident); !ok || id.Obj != eng {
			return nil, -1
		}
		g, moves := s.pkgOf[sel.Sel.Name]
		if _, isMethod := s.methods[sel.Sel.Name]; !isMethod || !moves || g < 0 {
			return nil, -1
		}
		for _, a := range call.Args {
			switch a := a.(type) {
			case *ast.BasicLit:
			case *ast.Ident:
				if a.Obj == nil {
					return nil, -1
				}
				as, isAssign := a.Obj.Decl.(*ast.AssignStmt)
				if !isAssign || as.Tok != token.DEFINE || !within(a.Obj.Decl, body) || assigns[a.Obj] != 1 {
					return nil, -1
				}
			default:
				return nil, -1
			}
		}
		return call, g
	}
	stmts := make([]loopStmt, len(body.List))
	for i, st := range body.List {
		stmts[i].group = -1
		switch x := st.(type) {
		case *ast.ExprStmt:
			if call, g := opCall(x.X); call != nil {
				stmts[i] = loopStmt{group: g, call: call}
			}
		case *ast.IfStmt:
			call, g := opCall(x.Cond)
			if call == nil || x.Init != nil || x.Else != nil || len(x.Body.List) != 1 {
				continue
			}
			es, ok := x.Body.List[0].(*ast.ExprStmt)
			if !ok {
				continue
			}
			report, ok := es.X.(*ast.CallExpr)
			if !ok || len(report.Args) == 0 {
				continue
			}
			lit, ok := report.Args[len(report.Args)-1].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				continue
			}
			if sel, ok := report.Fun.(*ast.SelectorExpr); !ok || !strings.HasPrefix(sel.Sel.Name, "late") {
				continue
			} else if _, moves := s.pkgOf[sel.Sel.Name]; moves {
				continue
			}
			stmts[i] = loopStmt{group: g, call: call, view: lit.Value, late: string(s.src[s.off(report.Pos()):s.off(lit.Pos())]), lateCall: report}
		}
	}
	var out []outlined
	for i := 0; i < len(stmts); {
		g := stmts[i].group
		if g < 0 {
			i++
			continue
		}
		j := i
		for j < len(stmts) && stmts[j].group == g {
			j++
		}
		run := stmts[i:j]
		first := body.List[i]
		i = j
		// one run per group and loop: a group called twice stays as it is
		again := false
		for _, st := range stmts[j:] {
			again = again || st.group == g
		}
		for _, st := range stmts[:j-len(run)] {
			again = again || st.group == g
		}
		late := ""
		for _, st := range run {
			if st.late != "" && late != "" && st.late != late {
				again = true // two kinds of report: stays
			}
			if st.late != "" {
				late = st.late
			}
		}
		if again {
			continue
		}
		// parameters: the locals the calls pass, typed as the callees declare them
		var params, args []string
		seen := map[string]bool{}
		for _, st := range run {
			callee := s.methods[st.call.Fun.(*ast.SelectorExpr).Sel.Name]
			var types []ast.Expr
			for _, fl := range callee.Type.Params.List {
				for range max(len(fl.Names), 1) {
					types = append(types, fl.Type)
				}
			}
			for k, a := range st.call.Args {
				id, ok := a.(*ast.Ident)
				if !ok || seen[id.Name] || k >= len(types) {
					continue
				}
				seen[id.Name] = true
				t := types[k]
				params = append(params, id.Name+" "+string(applyEdits(s.src, s.off(t.Pos()), s.off(t.End()), s.renames(t, g))))
				args = append(args, id.Name)
			}
		}
		name := fd.Name.Name
		var m strings.Builder
		result := ""
		if late != "" {
			result = " (late []string)"
			fmt.Fprintf(&m, "// %s is the part of the engine's %s for the operators of this package: it\n", name, name)
			fmt.Fprintf(&m, "// runs them on a row and returns the views that found the row late.\n")
		} else {
			fmt.Fprintf(&m, "// %s is the part of the engine's %s for the operators of this package: it\n", name, name)
			fmt.Fprintf(&m, "// runs them on a row.\n")
		}
		fmt.Fprintf(&m, "func (%s *%s) %s(%s)%s {\n", eng.Name, groupType(g), name, strings.Join(params, ", "), result)
		for _, st := range run {
			c := string(applyEdits(s.src, s.off(st.call.Pos()), s.off(st.call.End()), s.renames(st.call, g)))
			if st.view == "" {
				fmt.Fprintf(&m, "\t%s\n", c)
				continue
			}
			fmt.Fprintf(&m, "\tif %s {\n\t\tlate = append(late, %s)\n\t}\n", c, st.view)
		}
		if late != "" {
			m.WriteString("\treturn late\n")
		}
		m.WriteString("}\n\n")
		call := fmt.Sprintf("%s.%s.%s(%s)", eng.Name, opsPkg(g), name, strings.Join(args, ", "))
		if late != "" {
			// the report, as main wrote it, with the view of the loop
			report := string(applyEdits(s.src, s.off(run[0].lateCall.Pos()), s.off(run[0].lateCall.End()), s.renames(run[0].lateCall, -1)))
			report = report[:len(report)-len(text(run[0].lateCall.Args[len(run[0].lateCall.Args)-1]))-1] + "view)"
			call = fmt.Sprintf("for _, view := range %s {\n%s\n}", call, report)
		}
		o := outlined{group: g, call: call, method: m.String()}
		o.from, o.to = s.off(first.Pos()), s.off(first.End())
		for _, st := range body.List[j-len(run)+1 : j] {
			o.removed = append(o.removed, [2]int{s.off(st.Pos()), s.off(st.End())})
		}
		if s.outlinedSigs[g] == nil {
			s.outlinedSigs[g] = map[string]string{}
		}
		s.outlinedSigs[g][name] = "(" + strings.Join(params, ", ") + ")" + result
		out = append(out, o)
	}
	return out
}

// outlineSwitch moves, out of the switches of SaveState and LoadState on the
// unit number, each group's cases, when each calls one operator's method:
//
//	case 1:
//		return p.ops0.SaveOp0(buf)
//	case 2:
//		return p.ops0.SaveOp1(buf)
//
// become one case that calls a method of the group with the same switch:
//
//	case 1, 2:
//		return p.ops0.SaveState(i, buf)
//
// so that main has one line per group, and the group's Ops one method, not
// one per operator.
func (s *splitter) outlineSwitch(fd *ast.FuncDecl) []outlined {
	eng := recvObj(fd)
	if eng == nil {
		return nil
	}
	text := func(n ast.Node) string { return string(s.src[s.off(n.Pos()):s.off(n.End())]) }
	params := map[*ast.Object]string{} // fd's parameters and their types
	for _, fl := range fd.Type.Params.List {
		for _, n := range fl.Names {
			params[n.Obj] = text(fl.Type)
		}
	}
	assigns := map[*ast.Object]int{}
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.AssignStmt:
			for _, l := range x.Lhs {
				if id, ok := l.(*ast.Ident); ok && id.Obj != nil {
					assigns[id.Obj]++
				}
			}
		case *ast.IncDecStmt, *ast.UnaryExpr:
			ast.Inspect(x, func(n ast.Node) bool {
				if id, ok := n.(*ast.Ident); ok && id.Obj != nil {
					assigns[id.Obj] += 2
				}
				return true
			})
		}
		return true
	})
	var out []outlined
	for k, st := range fd.Body.List {
		sw, ok := st.(*ast.SwitchStmt)
		if !ok || sw.Init != nil {
			continue
		}
		tag, ok := sw.Tag.(*ast.Ident)
		if !ok || tag.Obj == nil || params[tag.Obj] == "" || assigns[tag.Obj] > 0 {
			continue
		}
		// what a case that returns returns after the switch: a parameter
		var after *ast.ReturnStmt
		if k+1 < len(fd.Body.List) {
			if r, ok := fd.Body.List[k+1].(*ast.ReturnStmt); ok && len(r.Results) == 1 {
				if id, ok := r.Results[0].(*ast.Ident); ok && id.Obj != nil && params[id.Obj] != "" && assigns[id.Obj] == 0 {
					after = r
				}
			}
		}
		type clause struct {
			group int
			call  *ast.CallExpr
			ret   bool
		}
		clauses := make([]clause, len(sw.Body.List))
		for ci, c := range sw.Body.List {
			clauses[ci].group = -1
			cc := c.(*ast.CaseClause)
			if len(cc.List) == 0 || len(cc.Body) != 1 {
				continue
			}
			var e ast.Expr
			ret := false
			switch b := cc.Body[0].(type) {
			case *ast.ExprStmt:
				e = b.X
			case *ast.ReturnStmt:
				if len(b.Results) == 1 && after != nil {
					e, ret = b.Results[0], true
				}
			}
			call, ok := e.(*ast.CallExpr)
			if !ok {
				continue
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				continue
			}
			if id, ok := sel.X.(*ast.Ident); !ok || id.Obj != eng {
				continue
			}
			g, moves := s.pkgOf[sel.Sel.Name]
			if _, isMethod := s.methods[sel.Sel.Name]; !isMethod || !moves || g < 0 {
				continue
			}
			argsOK := true
			for _, a := range call.Args {
				id, ok := a.(*ast.Ident)
				if !ok || id.Obj == nil {
					argsOK = false
					break
				}
				if params[id.Obj] != "" {
					argsOK = argsOK && assigns[id.Obj] == 0
					continue
				}
				as, ok := id.Obj.Decl.(*ast.AssignStmt)
				argsOK = argsOK && ok && as.Tok == token.DEFINE && as.End() <= sw.Pos() && assigns[id.Obj] == 1
			}
			if argsOK {
				clauses[ci] = clause{group: g, call: call, ret: ret}
			}
		}
		for ci := 0; ci < len(clauses); {
			g := clauses[ci].group
			if g < 0 {
				ci++
				continue
			}
			cj := ci
			for cj < len(clauses) && clauses[cj].group == g && clauses[cj].ret == clauses[ci].ret {
				cj++
			}
			run, from := clauses[ci:cj], ci
			ci = cj
			again := false
			for cx, c := range clauses {
				if (cx < from || cx >= cj) && c.group == g {
					again = true // a group in two places stays
				}
			}
			if again {
				continue
			}
			// parameters: the tag, then the locals the calls pass
			names := []string{tag.Name}
			ps := []string{tag.Name + " " + params[tag.Obj]}
			seen := map[string]bool{tag.Name: true}
			for _, c := range run {
				callee := s.methods[c.call.Fun.(*ast.SelectorExpr).Sel.Name]
				var types []ast.Expr
				for _, fl := range callee.Type.Params.List {
					for range max(len(fl.Names), 1) {
						types = append(types, fl.Type)
					}
				}
				for ai, a := range c.call.Args {
					id := a.(*ast.Ident)
					if seen[id.Name] || ai >= len(types) {
						continue
					}
					seen[id.Name] = true
					t := types[ai]
					names = append(names, id.Name)
					ps = append(ps, id.Name+" "+string(applyEdits(s.src, s.off(t.Pos()), s.off(t.End()), s.renames(t, g))))
				}
			}
			name := fd.Name.Name
			result := ""
			if run[0].ret {
				callee := s.methods[run[0].call.Fun.(*ast.SelectorExpr).Sel.Name]
				if callee.Type.Results == nil || len(callee.Type.Results.List) != 1 {
					continue
				}
				t := callee.Type.Results.List[0].Type
				result = " " + string(applyEdits(s.src, s.off(t.Pos()), s.off(t.End()), s.renames(t, g)))
			}
			var m strings.Builder
			fmt.Fprintf(&m, "// %s is the part of the engine's %s for the operators of this package.\n", name, name)
			fmt.Fprintf(&m, "func (%s *%s) %s(%s)%s {\n\tswitch %s {\n", eng.Name, groupType(g), name, strings.Join(ps, ", "), result, tag.Name)
			var cases []string
			for k := range run {
				cc := sw.Body.List[from+k].(*ast.CaseClause)
				for _, e := range cc.List {
					cases = append(cases, text(e))
				}
				body := cc.Body[0]
				fmt.Fprintf(&m, "\tcase %s:\n\t\t%s\n", text(cc.List[0])+caseRest(cc, text), string(applyEdits(s.src, s.off(body.Pos()), s.off(body.End()), s.renames(body, g))))
			}
			m.WriteString("\t}\n")
			if run[0].ret {
				fmt.Fprintf(&m, "\t%s\n", text(after))
			}
			m.WriteString("}\n\n")
			call := fmt.Sprintf("%s.%s.%s(%s)", eng.Name, opsPkg(g), name, strings.Join(names, ", "))
			if run[0].ret {
				call = "return " + call
			}
			first := sw.Body.List[from]
			o := outlined{group: g, method: m.String(), call: fmt.Sprintf("case %s:\n%s", strings.Join(cases, ", "), call)}
			o.from, o.to = s.off(first.Pos()), s.off(first.End())
			for _, c := range sw.Body.List[from+1 : cj] {
				o.removed = append(o.removed, [2]int{s.off(c.Pos()), s.off(c.End())})
			}
			if s.outlinedSigs[g] == nil {
				s.outlinedSigs[g] = map[string]string{}
			}
			if _, taken := s.outlinedSigs[g][name]; taken {
				continue
			}
			s.outlinedSigs[g][name] = "(" + strings.Join(ps, ", ") + ")" + result
			out = append(out, o)
		}
	}
	return out
}

// caseRest is the text of a case clause's expressions after the first.
func caseRest(cc *ast.CaseClause, text func(ast.Node) string) string {
	var b strings.Builder
	for _, e := range cc.List[1:] {
		b.WriteString(", " + text(e))
	}
	return b.String()
}

// assignCounts counts the assignments to each local in body: one per
// plain assignment, two for an increment or an address taken (either may
// change it again), so a count of 1 is a local assigned once.
func assignCounts(body ast.Node) map[*ast.Object]int {
	n := map[*ast.Object]int{}
	ast.Inspect(body, func(node ast.Node) bool {
		switch x := node.(type) {
		case *ast.AssignStmt:
			for _, l := range x.Lhs {
				if id, ok := l.(*ast.Ident); ok && id.Obj != nil {
					n[id.Obj]++
				}
			}
		case *ast.IncDecStmt:
			if id, ok := x.X.(*ast.Ident); ok && id.Obj != nil {
				n[id.Obj] += 2
			}
		case *ast.UnaryExpr:
			if id, ok := x.X.(*ast.Ident); ok && x.Op == token.AND && id.Obj != nil {
				n[id.Obj] += 2
			}
		}
		return true
	})
	return n
}
