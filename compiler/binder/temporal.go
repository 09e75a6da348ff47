package binder

import (
	"slices"

	"github.com/laminar-sql/laminar/compiler/ast"
	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// temporalSpec is what a temporal join says beyond its ON: the left time it
// reads the versioned table as of, and that table.
type temporalSpec struct {
	leftTime int // a column of the left input
	src      *plan.Source
	// where FOR SYSTEM_TIME AS OF names the time, and where ON is written
	asOfPos, onPos ast.Pos
}

// bindPrimaryKey checks PRIMARY KEY (cols) of a source: its columns exist,
// once each, and are NOT NULL (a version's key is never unknown).
func (b *binder) bindPrimaryKey(src *plan.Source, st *ast.CreateSource) bool {
	for _, id := range st.PrimaryKey {
		i := src.Schema.Index(id.Name)
		switch {
		case i < 0:
			b.diags.Errorf(diag.UnknownColumn, id.Pos, "PRIMARY KEY column %q is not a column of %s", id.Name, src.Name)
			return false
		case src.Schema[i].Type.Nullable:
			d := b.diags.Errorf(diag.TypeMismatch, id.Pos, "PRIMARY KEY column %q must be declared NOT NULL", id.Name)
			d.Hint = "a version without its key could not be matched; a row with a NULL there goes to the dead letters"
			return false
		}
		for _, c := range src.PrimaryKey {
			if c == i {
				b.diags.Errorf(diag.DuplicateColumn, id.Pos, "column %q is twice in the PRIMARY KEY", id.Name)
				return false
			}
		}
		src.PrimaryKey = append(src.PrimaryKey, i)
	}
	return true
}

// bindUnique checks UNIQUE (cols) NOT ENFORCED of a source: its columns
// exist, once each, and the source is append-only (an updating source's
// rows are versions and retractions: its PRIMARY KEY says what is unique).
// The promise is the user's: Laminar does not check the data.
func (b *binder) bindUnique(src *plan.Source, st *ast.CreateSource) bool {
	if len(st.PrimaryKey) > 0 {
		d := b.diags.Errorf(diag.Unsupported, st.Unique[0].Pos, "a source with a PRIMARY KEY (a versioned table, many rows per key) takes no UNIQUE")
		d.Hint = "UNIQUE (cols) NOT ENFORCED promises that no two rows of an append-only source ever share the columns"
		return false
	}
	for _, u := range st.Unique {
		var set []int
		for _, id := range u.Columns {
			i := src.Schema.Index(id.Name)
			switch {
			case i < 0:
				b.diags.Errorf(diag.UnknownColumn, id.Pos, "UNIQUE column %q is not a column of %s", id.Name, src.Name)
				return false
			case slices.Contains(set, i):
				b.diags.Errorf(diag.DuplicateColumn, id.Pos, "column %q is twice in the UNIQUE columns", id.Name)
				return false
			}
			set = append(set, i)
		}
		src.Unique = append(src.Unique, set)
	}
	return true
}

// bindTemporal binds `left [LEFT] JOIN table FOR SYSTEM_TIME AS OF l.ts ON …`:
// the table is a source with a PRIMARY KEY and a watermark, whose rows are
// versions of their key valid from their event time.
func (b *binder) bindTemporal(j *ast.Join) *joinTree {
	l := b.bindJoin(j.Left)
	if l == nil {
		return nil
	}
	var kind plan.JoinKind
	switch j.Kind {
	case ast.InnerJoin:
		kind = plan.InnerJoin
	case ast.LeftJoin:
		kind = plan.LeftJoin
	default:
		b.diags.Errorf(diag.Unsupported, j.Pos, "a temporal join is INNER or LEFT: each left row meets the one version valid at its time")
		return nil
	}
	tn, isName := j.Right.(*ast.TableName)
	var src *plan.Source
	if isName {
		src = b.sources[tn.Name.Name]
	}
	if src == nil || len(src.PrimaryKey) == 0 {
		pos := j.Right.Position()
		if isName && b.failed[tn.Name.Name] {
			return nil
		}
		d := b.diags.Errorf(diag.Unsupported, pos, "FOR SYSTEM_TIME AS OF reads a versioned table: a source with a PRIMARY KEY")
		d.Hint = "declare it CREATE SOURCE rates (currency VARCHAR NOT NULL, rate DOUBLE, ts TIMESTAMP NOT NULL, PRIMARY KEY (currency), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH (…)"
		return nil
	}
	if src.TimeCol < 0 {
		d := b.diags.Errorf(diag.NoWatermark, j.Right.Position(), "the versioned table %s needs a WATERMARK: its versions are ordered by that time", src.Name)
		d.Hint = "a version is valid from its event time until the next version of its key"
		return nil
	}
	b.versioned = true
	r := b.bindJoin(j.Right)
	b.versioned = false
	if r == nil {
		return nil
	}
	jt := joinOf(l, r, kind, j.Pos)
	x := b.expr(j.AsOf, l.scope(), &exprCtx{})
	if x == nil {
		return nil
	}
	ref, isRef := x.(*plan.ColRef)
	if !isRef || ref.T.Kind != types.Timestamp {
		b.diags.Errorf(diag.TypeMismatch, j.AsOf.Position(), "FOR SYSTEM_TIME AS OF takes a TIMESTAMP column of the left input, its event time")
		return nil
	}
	jt.temporal = &temporalSpec{leftTime: ref.Index, src: src, asOfPos: j.AsOf.Position()}
	if j.On == nil {
		b.diags.Errorf(diag.Unsupported, j.Pos, "a temporal join needs ON with the versioned table's primary key: ON o.key = %s.key", src.Name)
		return nil
	}
	jt.temporal.onPos = j.On.Position()
	for _, c := range astConjuncts(j.On) {
		on := b.predicate(c, jt.scope(), &exprCtx{}, "ON")
		if on == nil {
			return nil
		}
		jt.addConds(on, c.Position())
	}
	return jt
}

// buildTemporal lowers a temporal join to a backward ASOF join keyed by the
// versioned table's primary key (the latest version at or before the left
// time); its other conditions are checked on the version found (a LEFT join
// pads a row whose version fails them), except those on the left input
// alone of an inner join, which filter it first.
func (b *binder) buildTemporal(jt *joinTree) plan.Node {
	nl := len(jt.left.schema)
	spec := jt.temporal
	j := &plan.Join{Kind: jt.kind}
	var toLeft, residual []plan.Expr
	have := map[int]bool{}
	for _, c := range jt.on {
		used := map[int]bool{}
		plan.ColumnsUsed(c, used)
		leftOnly := len(used) > 0
		for col := range used {
			leftOnly = leftOnly && col < nl
		}
		if leftOnly && jt.kind == plan.InnerJoin {
			toLeft = append(toLeft, c)
			continue
		}
		if lk, rk, ok := equiKey(c, nl); ok {
			if ref, isRef := rk.(*plan.ColRef); isRef && isKeyCol(spec.src, ref.Index) && !have[ref.Index] {
				have[ref.Index] = true
				j.LeftKeys, j.RightKeys = append(j.LeftKeys, lk), append(j.RightKeys, rk)
				continue
			}
		}
		residual = append(residual, c)
	}
	for _, k := range spec.src.PrimaryKey {
		if !have[k] {
			d := b.diags.Errorf(diag.Unsupported, spec.onPos, "a temporal join's ON equates every primary key column of %s with the left input; %s is missing", spec.src.Name, spec.src.Schema[k].Name)
			d.Hint = "the version valid at a time is found by its key"
			return nil
		}
	}
	left := filterAll(b.build(jt.left, nil), toLeft)
	right := b.build(jt.right, nil)
	if left == nil || right == nil {
		return nil
	}
	if _, isTime := plan.EventTimeCol(left, spec.leftTime); !isTime || !left.AppendOnly() {
		d := b.diags.Errorf(diag.Unsupported, spec.asOfPos, "the left input of a temporal join is append-only and FOR SYSTEM_TIME AS OF names its event-time column (with a watermark), not %s", left.Schema()[spec.leftTime].Name)
		d.Hint = "a row is joined once the versioned table's watermark passes its time"
		return nil
	}
	j.Left, j.Right = left, right
	j.Asof = &plan.Asof{LeftTime: spec.leftTime, RightTime: spec.src.TimeCol, Dir: plan.AsofBackward, Lo: minInt64, Hi: 0, Temporal: true}
	if len(residual) > 0 {
		j.Residual = andAll(residual)
	}
	return j
}

func isKeyCol(src *plan.Source, col int) bool {
	for _, k := range src.PrimaryKey {
		if k == col {
			return true
		}
	}
	return false
}
