package codegen

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dave/jennifer/jen"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// tableRowType is the Go type of a lookup join's table rows.
func (o *opInfo) tableRowType() string { return o.name + "TableRow" }

// lookupType is the Go type of a lookup join's cache.
func (o *opInfo) lookupType() *jen.Statement {
	return rt("lookup.Cache").Types(jen.Id(o.keyType()), jen.Id(o.tableRowType()))
}

// lookupKinds are the column kinds a lookup table reads values as.
var lookupKinds = map[types.Kind]string{types.Int: "lookup.Int", types.Interval: "lookup.Int", types.Float: "lookup.Float",
	types.String: "lookup.String", types.Bool: "lookup.Bool", types.Timestamp: "lookup.Timestamp"}

// lookupNew is the statement of New that makes a lookup join's cache: the
// table opened on first use, through the job's connector environment.
func (g *generator) lookupNew(o *opInfo) jen.Code {
	l := o.op.Lookup
	t := l.Table
	var cols []jen.Code
	for _, c := range t.Schema {
		col := jen.Dict{jen.Id("Name"): jen.Lit(c.Name)}
		switch k := c.Type.Kind; {
		case k.IsDecimal():
			kind := "lookup.Decimal"
			if k.IsWideDecimal() {
				kind = "lookup.Decimal128"
			}
			col[jen.Id("Kind")], col[jen.Id("Prec")], col[jen.Id("Scale")] = rt(kind), jen.Lit(k.Prec()), jen.Lit(k.Scale())
		default:
			col[jen.Id("Kind")] = rt(lookupKinds[k])
		}
		cols = append(cols, rt("lookup.Column").Values(col))
	}
	var keys []jen.Code
	for _, k := range l.TableKeys {
		keys = append(keys, jen.Lit(k))
	}
	colList := jen.Index().Add(rt("lookup.Column")).Values(cols...)
	keyList := jen.Index().Int().Values(keys...)
	var open jen.Code
	switch t.Connector {
	case "postgres":
		opts := jen.Dict{}
		for _, k := range []string{"table", "url", "url_env"} {
			if v, ok := t.Options[k]; ok {
				opts[jen.Lit(k)] = jen.Lit(v)
			}
		}
		open = jen.Return(rt("pglookup.Open").Call(jen.Map(jen.String()).String().Values(opts), colList, keyList))
	default:
		open = jen.Return(rt("lookup.OpenFile").Call(jen.Id("p").Dot("ctx").Dot("Env").Call().Dot("Path").Call(jen.Lit(t.Options["path"])), jen.Lit(t.Format), colList, keyList))
	}
	opts := jen.Dict{}
	if v, ok := t.Options["cache_rows"]; ok {
		n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64) // checked by the binder
		opts[jen.Id("Rows")] = jen.Lit(n)
	}
	if v, ok := t.Options["cache_ttl"]; ok {
		d, _ := time.ParseDuration(strings.TrimSpace(v))
		opts[jen.Id("TTL")] = jen.Qual("time", "Duration").Call(jen.Lit(int64(d)))
	}
	var args []jen.Code
	for i := range l.Keys {
		args = append(args, jen.Id("k").Dot(fmt.Sprintf("K%d", i)))
	}
	// decode: a table row's values into the row struct; a NULL in a NOT
	// NULL column is an error of the table
	var dec []jen.Code
	for i, c := range t.Schema {
		f := jen.Id("r").Dot(o.tableFields()[i])
		v := jen.Id("v").Index(jen.Lit(i))
		x := jen.Add(v).Assert(baseType(c.Type.Kind))
		if c.Type.Nullable {
			dec = append(dec, jen.If(jen.Add(v).Op("!=").Nil()).Block(jen.Add(f).Op("=").Add(rt("value.Of")).Call(x)))
			continue
		}
		dec = append(dec, jen.If(jen.Add(v).Op("==").Nil()).Block(
			jen.Return(jen.Id("r"), jen.Qual("errors", "New").Call(jen.Lit(fmt.Sprintf("a row with NULL in NOT NULL column %s", c.Name))))),
			jen.Add(f).Op("=").Add(x))
	}
	dec = append(dec, jen.Return(jen.Id("r"), jen.Nil()))
	return jen.Id("p").Dot(o.name).Op("=").Add(rt("lookup.NewCache")).Types(jen.Id(o.keyType()), jen.Id(o.tableRowType())).Call(
		jen.Lit(t.Name), rt("lookup.Options").Values(opts),
		jen.Func().Params().Params(rt("lookup.Table"), jen.Error()).Block(open),
		jen.Func().Params(jen.Id("k").Id(o.keyType())).Index().Any().Block(jen.Return(jen.Index().Any().Values(args...))),
		jen.Func().Params(jen.Id("v").Index().Any()).Params(jen.Id("r").Id(o.tableRowType()), jen.Id("err").Error()).Block(dec...))
}

func (o *opInfo) tableFields() []string { return columnFields(o.op.Lookup.Table.Schema) }

// srcOf is the first source whose rows reach o: the one its failed rows are
// counted under.
func (g *generator) srcOf(o *opInfo) int {
	for _, s := range g.sources {
		for _, op := range g.plan.Downstream(s.idx) {
			if op == o.op {
				return s.idx
			}
		}
	}
	return 0
}

// lookupCode generates a lookup join: its key and table row types, push<Op>
// (the key, the cache, each table row through the steps after the join, a
// LEFT join's padded row) and the functions emitting a joined row.
func (g *generator) lookupCode(o *opInfo) {
	l := o.op.Lookup
	in := o.inputs[0]
	var keyFields []jen.Code
	for i, k := range l.Keys {
		keyFields = append(keyFields, jen.Id(fmt.Sprintf("K%d", i)).Add(baseType(k.Type().Kind)).Comment(commentLines(k.String() + " = " + l.Table.Schema[l.TableKeys[i]].Name)[0]))
	}
	g.f.Comment(fmt.Sprintf("%s is a key of lookup table %s.", o.keyType(), commentLines(l.Table.Name)[0]))
	g.f.Type().Id(o.keyType()).Struct(keyFields...)
	g.f.Line()
	g.f.Comment(fmt.Sprintf("%s is a row of lookup table %s.", o.tableRowType(), commentLines(l.Table.Name)[0]))
	g.f.Add(rowStruct(o.tableRowType(), l.Table.Schema, o.tableFields()))
	g.f.Line()
	src := g.srcOf(o)
	record := jen.Id("append"+in.rowType).Call(jen.Nil(), jen.Id("r"), jen.LitRune('+'))
	fail := func(err jen.Code) jen.Code {
		return jen.Id("p").Dot("ctx").Dot("RowFailedRow").Call(jen.Lit(src), jen.Lit(o.op.Name), record, err)
	}

	// push<Op>
	env := make([]operand, len(in.op.Output))
	for i, c := range in.op.Output {
		env[i] = operand{jen.Id("r").Dot(in.fields[i]), c.Type.Nullable}
	}
	tmp := 0
	eg := &exprGen{tmp: &tmp, env: env, glob: g.glob, faults: new(bool)}
	var nulls []jen.Code
	key := jen.Dict{}
	for i, k := range l.Keys {
		x := eg.expr(k)
		if x.nullable {
			x = eg.assignTemp(types.Null(k.Type().Kind), x.code)
			nulls = append(nulls, jen.Op("!").Add(x.code).Dot("Valid"))
			key[jen.Id(fmt.Sprintf("K%d", i))] = jen.Add(x.code).Dot("V")
		} else {
			if eg.faulty() {
				x = eg.assignTemp(types.Of(k.Type().Kind), x.code) // computed before the fault is tested
			}
			key[jen.Id(fmt.Sprintf("K%d", i))] = x.code
		}
	}
	left := l.Kind == plan.LeftJoin
	// over an updating input each row carries a weight, and the table rows
	// its insertion met are held for its retraction (lookup.Held)
	upd := o.op.InputUpdating
	var w []jen.Code
	if upd {
		w = []jen.Code{jen.Id("w")}
	}
	var body []jen.Code
	if eg.faulty() {
		// a key whose expression overflowed: the row is left out and reported
		body = append(body, jen.Var().Id(faultVar).Add(rt("value.Fault")))
		body = append(body, eg.stmts...)
		body = append(body, jen.If(jen.Id(faultVar).Op("!=").Lit(0)).Block(fail(jen.Id(faultVar)), jen.Return()))
	} else {
		body = append(body, eg.stmts...)
	}
	if len(nulls) > 0 {
		var onNull []jen.Code
		if left {
			onNull = append(onNull, jen.Id("p").Dot("pad"+o.fn).Call(append([]jen.Code{jen.Id("r")}, w...)...))
		}
		body = append(body, jen.If(orAll(nulls)).Block(append(onNull, jen.Return())...))
	}
	if upd {
		held := jen.Id("p").Dot(o.name + "Held")
		body = append(body,
			jen.List(jen.Id("rows"), jen.Id("held")).Op(":=").Add(held).Dot("Get").Call(jen.Op("*").Id("r")),
			jen.If(jen.Op("!").Id("held")).Block(
				jen.If(jen.Id("w").Op("<").Lit(0)).Block(jen.Return().Comment("a retraction of a row whose insertion emitted nothing (its lookup failed)")),
				jen.Var().Id("err").Error(),
				jen.If(jen.List(jen.Id("rows"), jen.Id("err")).Op("=").Id("p").Dot(o.name).Dot("Get").Call(jen.Id(o.keyType()).Values(key)), jen.Id("err").Op("!=").Nil()).Block(
					jen.Comment("the table could not be read: the row goes to the dead letters with the reason"),
					fail(jen.Id("err")), jen.Return())),
			jen.Add(held).Dot("Add").Call(jen.Op("*").Id("r"), jen.Id("w"), jen.Id("rows")))
	} else {
		body = append(body,
			jen.List(jen.Id("rows"), jen.Id("err")).Op(":=").Id("p").Dot(o.name).Dot("Get").Call(jen.Id(o.keyType()).Values(key)),
			jen.If(jen.Id("err").Op("!=").Nil()).Block(
				jen.Comment("the table could not be read: the row goes to the dead letters with the reason"),
				fail(jen.Id("err")), jen.Return()))
	}
	match := []jen.Code{jen.Id("t").Op(":=").Op("&").Id("rows").Index(jen.Id("i"))}
	if l.Residual != nil {
		match = append(match, jen.If(jen.Op("!").Id("p").Dot("on"+o.fn).Call(jen.Id("r"), jen.Id("t"))).Block(jen.Continue()))
	}
	if left {
		match = append(match, jen.Id("matched").Op("=").True())
		body = append(body, jen.Id("matched").Op(":=").False())
	}
	match = append(match, jen.Id("p").Dot("join"+o.fn).Call(append([]jen.Code{jen.Id("r"), jen.Id("t")}, w...)...))
	body = append(body, jen.For(jen.Id("i").Op(":=").Range().Id("rows")).Block(match...))
	if left {
		body = append(body, jen.If(jen.Op("!").Id("matched")).Block(jen.Id("p").Dot("pad"+o.fn).Call(append([]jen.Code{jen.Id("r")}, w...)...)))
	}
	params := []jen.Code{jen.Id("r").Op("*").Id(in.rowType)}
	if upd {
		params = append(params, jen.Id("w").Int64())
		g.f.Comment(fmt.Sprintf("push%s looks a row of %s, with weight w, up in lookup table %s (or, for a row", o.fn, in.what(), commentLines(l.Table.Name)[0]))
		g.f.Comment("already held, takes the table rows its insertion met) and emits what it finds.")
	} else {
		g.f.Comment(fmt.Sprintf("push%s looks a row of %s up in lookup table %s and emits what it finds.", o.fn, in.what(), commentLines(l.Table.Name)[0]))
	}
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("push" + o.fn).Params(params...).Block(body...)
	g.f.Line()

	// join<Op>, pad<Op>, on<Op>
	joined := func(padded bool) []operand {
		out := o.op.Lookup.Schema()
		env := make([]operand, 0, len(out))
		for i, c := range in.op.Output {
			env = append(env, operand{jen.Id("r").Dot(in.fields[i]), c.Type.Nullable})
		}
		for i, c := range l.Table.Schema {
			t := out[len(in.op.Output)+i].Type
			switch {
			case padded:
				env = append(env, operand{jen.Parens(rt("value.Null").Types(baseType(c.Type.Kind)).Values()), true})
			case t.Nullable && !c.Type.Nullable:
				env = append(env, operand{rt("value.Of").Call(jen.Id("t").Dot(o.tableFields()[i])), true})
			default:
				env = append(env, operand{jen.Id("t").Dot(o.tableFields()[i]), c.Type.Nullable})
			}
		}
		return env
	}
	emit := func(env []operand) []jen.Code {
		tmp := 0
		eg := &exprGen{tmp: &tmp, env: env, glob: g.glob, faults: new(bool)}
		code := stages(eg, o.op.Post, func(eg *exprGen) []jen.Code {
			out := jen.Id("out").Op(":=").Id(o.rowType).Values(rowValues(o, eg.env))
			if upd {
				// a weight of n is n copies of the change
				return append(eg.stmts, eg.guard(out, jen.For(jen.Range().Add(rt("join.Copies")).Call(jen.Id("w"))).Block(
					jen.Id("p").Dot("emit"+o.fn).Call(jen.Op("&").Id("out"), rt("window.OpOf").Call(jen.Id("w")))))...)
			}
			return append(eg.stmts, eg.guard(out, jen.Id("p").Dot("emit"+o.fn).Call(jen.Op("&").Id("out"), jen.LitRune('+')))...)
		})
		return eg.faultScope(code, func(f jen.Code) jen.Code { return fail(f) })
	}
	rt2 := []jen.Code{jen.Id("r").Op("*").Id(in.rowType), jen.Id("t").Op("*").Id(o.tableRowType())}
	var wp []jen.Code
	if upd {
		wp = []jen.Code{jen.Id("w").Int64()}
	}
	g.f.Comment(fmt.Sprintf("join%s emits the row of r and table row t through the steps after %s.", o.fn, o.what()))
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("join" + o.fn).Params(append(rt2[:2:2], wp...)...).Block(emit(joined(false))...)
	g.f.Line()
	if left {
		g.f.Comment(fmt.Sprintf("pad%s emits row r with NULLs for the table's columns, from %s.", o.fn, o.what()))
		g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("pad" + o.fn).Params(append([]jen.Code{rt2[0]}, wp...)...).Block(emit(joined(true))...)
		g.f.Line()
	}
	if l.Residual != nil {
		tmp := 0
		eg := &exprGen{tmp: &tmp, env: joined(false), glob: g.glob, faults: new(bool)}
		c := truth(eg.expr(l.Residual))
		var code []jen.Code
		if eg.faulty() {
			// a condition whose arithmetic overflowed holds for no row; the pair is reported
			code = append(code, jen.Var().Id(faultVar).Add(rt("value.Fault")))
			code = append(code, eg.stmts...)
			code = append(code, jen.Id("ok").Op(":=").Add(c),
				jen.If(jen.Id(faultVar).Op("!=").Lit(0)).Block(fail(jen.Id(faultVar)), jen.Return(jen.False())),
				jen.Return(jen.Id("ok")))
		} else {
			code = append(eg.stmts, jen.Return(c))
		}
		g.f.Comment(fmt.Sprintf("on%s tells whether table row t matches r beyond the key: %s", o.fn, commentLines(l.Residual.String())[0]))
		g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("on" + o.fn).Params(rt2...).Bool().Block(code...)
		g.f.Line()
	}
}

// lookupState generates save<Op> and load<Op> of a lookup join over an
// updating input: each held input row, its weight and the table rows its
// insertion met.
func (g *generator) lookupState(o *opInfo) {
	in := o.inputs[0]
	t := o.op.Lookup.Table
	held := jen.Id("p").Dot(o.name + "Held")
	var enc, dec, encT, decT []jen.Code
	for c, col := range in.op.Output {
		enc = append(enc, encodeField(jen.Id("r").Dot(in.fields[c]), col.Type)...)
		dec = append(dec, decodeField(jen.Id("r").Dot(in.fields[c]), col.Type)...)
	}
	for c, col := range t.Schema {
		encT = append(encT, encodeField(jen.Id("rows").Index(jen.Id("i")).Dot(o.tableFields()[c]), col.Type)...)
		decT = append(decT, decodeField(jen.Id("rows").Index(jen.Id("i")).Dot(o.tableFields()[c]), col.Type)...)
	}
	enc = append(enc, encodeField(jen.Id("w"), types.Of(types.Int))...)
	enc = append(enc, jen.Id("buf").Op("=").Add(rt("snapshot.AppendUint")).Call(jen.Id("buf"), jen.Uint64().Call(jen.Len(jen.Id("rows")))),
		jen.For(jen.Id("i").Op(":=").Range().Id("rows")).Block(encT...))
	dec = append(dec, jen.Var().Id("w").Int64())
	dec = append(dec, decodeField(jen.Id("w"), types.Of(types.Int))...)
	dec = append(dec, jen.Id("rows").Op(":=").Make(jen.Index().Id(o.tableRowType()), jen.Id("d").Dot("Len").Call()),
		jen.For(jen.Id("i").Op(":=").Range().Id("rows")).Block(decT...),
		jen.Add(held).Dot("Restore").Call(jen.Id("r"), jen.Id("w"), jen.Id("rows")))
	save := []jen.Code{
		jen.Id("buf").Op("=").Add(rt("snapshot.AppendUint")).Call(jen.Id("buf"), jen.Uint64().Call(jen.Add(held).Dot("Len").Call())),
		jen.Add(held).Dot("Each").Call(jen.Func().Params(jen.Id("r").Op("*").Id(in.rowType), jen.Id("w").Int64(), jen.Id("rows").Index().Id(o.tableRowType())).Block(enc...)),
		jen.Return(jen.Id("buf")),
	}
	load := []jen.Code{jen.For(jen.Id("n").Op(":=").Id("d").Dot("Len").Call().Op(";").Id("n").Op(">").Lit(0).Op(";").Id("n").Op("--")).Block(
		append([]jen.Code{jen.Var().Id("r").Id(in.rowType)}, dec...)...)}
	g.stateFuncs(o, save, load)
}

// lookupCounters generates LookupCounters (job.LookupCounted) when the
// pipeline has lookup joins.
func (g *generator) lookupCounters() {
	var body []jen.Code
	for _, o := range g.ops {
		if o.op.Lookup == nil {
			continue
		}
		body = append(body, jen.Block(
			jen.Id("c").Op(":=").Id("p").Dot(o.name).Dot("Counters").Call(),
			jen.Id("dst").Op("=").Append(jen.Id("dst"), rt("job.LookupStatus").Values(jen.Dict{
				jen.Id("Table"): jen.Id("c").Dot("Table"), jen.Id("View"): jen.Lit(o.op.Name),
				jen.Id("Hits"): jen.Id("c").Dot("Hits"), jen.Id("Misses"): jen.Id("c").Dot("Misses"), jen.Id("Errors"): jen.Id("c").Dot("Errors")}))))
	}
	if len(body) == 0 {
		return
	}
	g.f.Comment("LookupCounters appends the cache counters of each lookup join (job.LookupCounted).")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("LookupCounters").Params(jen.Id("dst").Index().Add(rt("job.LookupStatus"))).Index().Add(rt("job.LookupStatus")).Block(
		append(body, jen.Return(jen.Id("dst")))...)
	g.f.Line()
}
