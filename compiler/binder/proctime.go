package binder

// Processing time: PROCTIME() in a SELECT or as a source's computed column,
// and the windows over it.

import (
	"strings"

	"github.com/laminar-sql/laminar/compiler/ast"
	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

func init() {
	scalarFuncs[plan.ProcTimeFunc] = typeProcTime
}

// typeProcTime binds PROCTIME(): the wall clock when the row's batch is
// processed, a TIMESTAMP that is never NULL.
func typeProcTime(b *binder, c *ast.Call, args []plan.Expr) plan.Expr {
	if len(args) != 0 {
		b.diags.Errorf(diag.WrongArgCount, c.Pos, "PROCTIME() takes no arguments").Hint = "SELECT *, PROCTIME() AS p_time FROM bid"
		return nil
	}
	return &plan.Func{Name: plan.ProcTimeFunc, T: types.Type{Kind: types.Timestamp}}
}

// procCol binds column i of a CREATE SOURCE that is computed (`p AS expr`):
// only `p AS PROCTIME()`, Flink's processing-time attribute, is.
func (b *binder) procCol(src *plan.Source, st *ast.CreateSource, i int, c ast.ColumnDef) bool {
	call, isCall := c.Computed.(*ast.Call)
	if !isCall || !strings.EqualFold(call.Name, plan.ProcTimeFunc) || len(call.Args) != 0 || call.Star {
		d := b.diags.Errorf(diag.Unsupported, c.Computed.Position(), "a computed column of a source may only be PROCTIME() (others are not supported yet)")
		d.Hint = "compute the value in a view over the source: CREATE VIEW v AS SELECT *, <expr> AS " + c.Name.Name + " FROM " + st.Name.Name
		return false
	}
	for _, other := range st.Columns[:i] {
		if strings.EqualFold(other.Name.Name, c.Name.Name) {
			b.diags.Errorf(diag.DuplicateColumn, c.Name.Pos, "column %q is declared twice", c.Name.Name)
			return false
		}
	}
	src.ProcCols = append(src.ProcCols, plan.ProcCol{At: i, Name: c.Name.Name})
	return true
}

// scanOf is the scan of a source; a source with processing-time columns is
// scanned with them in their declared places.
func scanOf(src *plan.Source) plan.Node {
	scan := &plan.Scan{Source: src}
	if len(src.ProcCols) == 0 {
		return scan
	}
	p := &plan.Project{Input: scan}
	col := 0
	add := func(upTo int) {
		for ; col < len(src.Schema) && len(p.Exprs) < upTo; col++ {
			c := src.Schema[col]
			p.Exprs = append(p.Exprs, &plan.ColRef{Index: col, Name: c.Name, T: c.Type})
			p.Names = append(p.Names, c.Name)
		}
	}
	for _, pc := range src.ProcCols {
		add(pc.At)
		p.Exprs = append(p.Exprs, &plan.Func{Name: plan.ProcTimeFunc, T: types.Type{Kind: types.Timestamp}})
		p.Names = append(p.Names, pc.Name)
	}
	add(len(src.Schema) + len(src.ProcCols))
	return p
}

// procWindow builds a processing-time window (TUMBLE or HOP over a
// PROCTIME() column): its windows close on the wall clock.
func (b *binder) procWindow(kind ast.WindowKind, in plan.Node, inName string, col int, args []ast.Expr, pos ast.Pos) *plan.Window {
	spec := windowSpecs[kind]
	if kind != ast.Tumble && kind != ast.Hop {
		d := b.diags.Errorf(diag.Unsupported, pos, "%s over a processing-time column is not supported", spec.name)
		d.Hint = "processing-time windows are TUMBLE and HOP; a " + spec.name + " window needs an event-time column with a watermark"
		return nil
	}
	if !in.AppendOnly() {
		b.diags.Errorf(diag.BadWindow, pos, "%s over %s: windows need an append-only input, and %s is updating", spec.name, inName, inName)
		return nil
	}
	if len(args) != spec.args {
		b.diags.Errorf(diag.WrongArgCount, pos, "%s", spec.usage).Hint = spec.example
		return nil
	}
	vals, ok := b.intervalConsts(args)
	if !ok {
		return nil
	}
	w := &plan.Window{Input: in, Kind: plan.Tumble, TimeCol: col, Proc: true, Size: vals[0], Slide: vals[0]}
	if kind == ast.Hop {
		w.Kind, w.Slide, w.Size = plan.Hop, vals[0], vals[1]
	}
	if w.Size <= 0 || w.Slide <= 0 {
		b.diags.Errorf(diag.BadWindow, pos, "window size and slide must be positive")
		return nil
	}
	if w.Kind == plan.Hop && w.Size%w.Slide != 0 {
		d := b.diags.Errorf(diag.BadWindow, pos, "HOP size %s is not a multiple of its slide %s", plan.FormatMicros(w.Size), plan.FormatMicros(w.Slide))
		d.Hint = "HOP takes the slide first, then the size"
		return nil
	}
	return w
}

// procAggregate checks what an aggregate over a processing-time window may
// ask for: its windows close on the wall clock, once.
func (b *binder) procAggregate(q *ast.Select, agg *plan.Aggregate) bool {
	w, ok := windowOf(agg.Input)
	if !ok || !w.Proc {
		return true
	}
	if q.Emit != ast.EmitDefault && q.Emit != ast.EmitOnWindowClose {
		d := b.diags.Errorf(diag.Unsupported, q.EmitPos, "EMIT %s is not supported over a processing-time window", emitWords[q.Emit])
		d.Hint = "a processing-time window emits its rows once, when the wall clock passes its end"
		return false
	}
	if q.Lateness != nil {
		d := b.diags.Errorf(diag.Unsupported, q.LatenessPos, "ALLOWED LATENESS does not apply to a processing-time window: no row is late on the wall clock")
		d.Hint = "leave it out"
		return false
	}
	if agg.WindowKey < 0 {
		d := b.diags.Errorf(diag.EmitNeedsWindow, q.Pos, "a processing-time window needs a GROUP BY on window_start or window_end")
		d.Hint = "GROUP BY window_start, window_end and the other keys"
		return false
	}
	return true
}
