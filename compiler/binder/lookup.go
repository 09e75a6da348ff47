package binder

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/laminar-sql/laminar/compiler/ast"
	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// tableConnectors are the connectors of lookup tables (CREATE TABLE):
// cache_rows bounds the cache, cache_ttl (a Go duration: 30s, 10m) makes an
// entry be read again after a while.
var tableConnectors = map[string]connectorDef{
	"file":     {required: []string{"path"}, optional: []string{"format", "cache_rows", "cache_ttl"}, formats: []string{"json", "csv"}},
	"postgres": {required: []string{"table"}, optional: []string{"url", "url_env", "cache_rows", "cache_ttl"}},
}

// createTable binds CREATE TABLE, a lookup table.
func (b *binder) createTable(st *ast.CreateSource) {
	if len(st.PartitionedBy) > 0 {
		d := b.diags.Errorf(diag.Unsupported, st.PartitionedBy[0].Pos, "PARTITIONED BY declares a sink, and no INSERT INTO writes %s", st.Name.Name)
		d.Hint = "write INSERT INTO " + st.Name.Name + " SELECT …; a lookup table (a CREATE TABLE that joins read) has no partitions"
		b.declare(st.Name, "table")
		return
	}
	if !b.declare(st.Name, "table") {
		return
	}
	if len(st.Unique) > 0 {
		b.diags.Errorf(diag.Unsupported, st.Unique[0].Pos, "UNIQUE (cols) NOT ENFORCED is declared on a CREATE SOURCE, not a table")
		return
	}
	t := &plan.LookupTable{Name: st.Name.Name, Pos: st.Pos}
	b.failed[t.Name] = true // until it binds
	for _, c := range st.Columns {
		if c.Computed != nil {
			b.diags.Errorf(diag.Unsupported, c.Computed.Position(), "a lookup table has no computed columns: its rows are read as they are").Hint = "compute the value in the query that joins it"
			return
		}
		k, known := types.ByName(c.Type.Name)
		if k.IsDecimal() { // DECIMAL(p, s): read exactly, from text
			if k, known = b.typeKind(c.Type); !known {
				return
			}
		}
		if !known {
			d := b.diags.Errorf(diag.UnknownType, c.Type.Pos, "unknown or unsupported type %s", c.Type.Name)
			d.Hint = "types: BOOLEAN, INT, BIGINT, DOUBLE, DECIMAL(p, s), VARCHAR, TIMESTAMP, INTERVAL"
			return
		}
		if t.Schema.Index(c.Name.Name) >= 0 {
			b.diags.Errorf(diag.DuplicateColumn, c.Name.Pos, "column %q is declared twice", c.Name.Name)
			return
		}
		t.Schema = append(t.Schema, plan.Column{Name: c.Name.Name, Type: types.Type{Kind: k, Nullable: !c.NotNull}})
	}
	for _, id := range st.PrimaryKey { // informational: a lookup may find several rows anyway
		if t.Schema.Index(id.Name) < 0 {
			b.diags.Errorf(diag.UnknownColumn, id.Pos, "PRIMARY KEY column %q is not a column of %s", id.Name, t.Name)
			return
		}
	}
	conn, format, opts, ok := bindOptions(&b.diags, st.Pos, "table", st.With, tableConnectors)
	if !ok {
		return
	}
	if conn == "file" && format == "" {
		format = "json"
	}
	if s, ok := opts["cache_rows"]; ok {
		if n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err != nil || n < 0 {
			b.diags.Errorf(diag.BadOption, st.Pos, "cache_rows %q is not a count of rows", s)
			return
		}
	}
	if s, ok := opts["cache_ttl"]; ok {
		if d, err := time.ParseDuration(strings.TrimSpace(s)); err != nil || d < 0 {
			b.diags.Errorf(diag.BadOption, st.Pos, "cache_ttl %q is not a duration such as 30s, 10m or 1h", s)
			return
		}
	}
	t.Connector, t.Format, t.Options = conn, format, opts
	delete(b.failed, t.Name)
	b.tables[t.Name] = t
}

// lookupTable is the lookup table a FROM item names, if it names one.
func (b *binder) lookupTable(t ast.TableRef) *plan.LookupTable {
	if tn, ok := t.(*ast.TableName); ok && b.cte(tn.Name.Name) == nil {
		return b.tables[tn.Name.Name]
	}
	return nil
}

// lookupSpec is the table of a lookup join.
type lookupSpec struct {
	table *plan.LookupTable
}

// bindLookup binds `left [LEFT] JOIN table [FOR SYSTEM_TIME AS OF …] ON …`
// over a lookup table: each left row reads the table's rows of its key
// when it is processed (Flink's processing-time lookup join).
func (b *binder) bindLookup(j *ast.Join, table *plan.LookupTable) *joinTree {
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
		b.diags.Errorf(diag.Unsupported, j.Pos, "a lookup join is INNER or LEFT: the table %s is read by the stream's keys", table.Name)
		return nil
	}
	if j.Asof {
		b.diags.Errorf(diag.Unsupported, j.Pos, "%s is a lookup table: it has no times to ASOF join on", table.Name)
		return nil
	}
	if call, isCall := j.AsOf.(*ast.Call); isCall && call.Name == "PROCTIME" && len(call.Args) == 0 {
		// Flink's processing-time lookup join: the table as it is now
	} else if j.AsOf != nil {
		x := b.expr(j.AsOf, l.scope(), &exprCtx{})
		if x == nil {
			return nil
		}
		if ref, isRef := x.(*plan.ColRef); isRef {
			// an event time would promise the table's content as of that time
			if n := b.build(l, nil); n != nil {
				if _, isTime := plan.EventTimeCol(n, ref.Index); isTime {
					d := b.diags.Errorf(diag.Unsupported, j.AsOf.Position(), "%s is a lookup table without versions: it is read when each row is processed, not as of its event time", table.Name)
					d.Hint = "write FOR SYSTEM_TIME AS OF a processing time (PROCTIME()), or leave it out; for versions by event time declare a source with a PRIMARY KEY"
					return nil
				}
			}
		}
	}
	q := table.Name
	if tn := j.Right.(*ast.TableName); tn.Alias != nil {
		q = tn.Alias.Name
	}
	rsc := &scope{schema: table.Schema, qualifiers: []string{q}}
	r := &joinTree{schema: table.Schema, quals: rsc.columnQuals()}
	jt := joinOf(l, r, kind, j.Pos)
	jt.lookup = &lookupSpec{table: table}
	if j.On == nil {
		b.diags.Errorf(diag.Unsupported, j.Pos, "a lookup join needs ON with an equality on a column of %s (its key)", table.Name)
		return nil
	}
	on := b.predicate(j.On, jt.scope(), &exprCtx{}, "ON")
	if on == nil {
		return nil
	}
	jt.on = conjuncts(on)
	return jt
}

// buildLookup lowers a lookup join: equalities of a left expression and a
// table column are the key; conditions on the left input alone of an inner
// join filter it first; the rest is checked on each table row found.
func (b *binder) buildLookup(jt *joinTree) plan.Node {
	nl := len(jt.left.schema)
	t := jt.lookup.table
	j := &plan.LookupJoin{Table: t, Kind: jt.kind}
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
			if ref, isRef := rk.(*plan.ColRef); isRef && !have[ref.Index] && lk.Type().Kind == ref.T.Kind {
				have[ref.Index] = true
				j.Keys, j.TableKeys = append(j.Keys, lk), append(j.TableKeys, ref.Index)
				continue
			}
		}
		residual = append(residual, c)
	}
	if len(j.Keys) == 0 {
		d := b.diags.Errorf(diag.Unsupported, jt.pos, "a lookup join needs ON with an equality between a column of %s and the other input, of the same type", t.Name)
		d.Hint = fmt.Sprintf("such as ON o.id = %s.id (CAST the other side to the column's type if they differ)", t.Name)
		return nil
	}
	left := filterAll(b.build(jt.left, nil), toLeft)
	if left == nil {
		return nil
	}
	j.Input = left
	if len(residual) > 0 {
		j.Residual = andAll(residual)
	}
	return j
}
