package codegen

import (
	"fmt"

	"github.com/dave/jennifer/jen"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// sides names the two inputs of a join in generated names.
var sides = [2]string{"Left", "Right"}

// joinSide is what the code of one side of a join refers to.
type joinSide struct {
	i        int
	name     string // Left or Right
	in       *opInfo
	keys     []plan.Expr
	updating bool // the input carries weights
	preserve bool // an outer join keeps its unmatched rows, NULL-padded
	timeCol  int  // interval joins: the event-time column of the input, by which its rows are late
	dropCol  int  // and the column by which its rows are dropped (see plan.Interval)
}

func (g *generator) joinSides(o *opInfo) [2]joinSide {
	j := o.op.Join
	var out [2]joinSide
	for i := range out {
		out[i] = joinSide{i: i, name: sides[i], in: o.inputs[i], updating: o.op.SideUpdating[i], timeCol: -1, dropCol: -1}
	}
	out[0].keys, out[1].keys = j.LeftKeys, j.RightKeys
	out[0].preserve = j.Kind == plan.LeftJoin || j.Kind == plan.FullJoin
	out[1].preserve = j.Kind == plan.RightJoin || j.Kind == plan.FullJoin
	if j.Interval != nil {
		out[0].timeCol, out[1].timeCol = j.Interval.LeftTime, j.Interval.RightTime
		out[0].dropCol, out[1].dropCol = j.Interval.LeftEnd, j.Interval.RightStart
	}
	return out
}

// keyedSides tells whether the join's sides find their keys through a
// keyIndex (join.NewKeyedSide, probed by First) rather than a map
// (join.NewSide, probed by FirstMap, which inlines): for a key of two to
// eight columns that are all 64-bit integers in Go (BIGINT, TIMESTAMP,
// ...), whose map lookups take the general path (a hash of the key's
// bytes, a group's control word and slots of a directory's table: 20% of
// Nexmark q8's time), where a key of one word has the map's own code
// until the side is large (growingSides).
func (o *opInfo) keyedSides() bool {
	n := len(o.op.Join.LeftKeys)
	return n >= 2 && n <= 8 && o.intKeys()
}

// growingSides tells whether the join's sides, found through a map, move
// their keys to a keyIndex once they hold many (join.NewGrowingSide, whose
// probes ask First when FirstMap misses on a grown side): a key of one
// column that is a 64-bit integer in Go. The map's lookup of a
// key of one word has code of its own, fewer instructions while the map is
// in the cache (a few windows' keys), and a cache miss more than the
// keyIndex's on a large one (Nexmark q7: a third of its time).
func (o *opInfo) growingSides() bool {
	return len(o.op.Join.LeftKeys) == 1 && o.intKeys()
}

// intKeys tells whether every column of the join's key is a 64-bit
// integer in Go (baseType: BIGINT, TIMESTAMP, DECIMAL(p <= 18), ...).
func (o *opInfo) intKeys() bool {
	for _, k := range o.op.Join.LeftKeys {
		switch kind := k.Type().Kind; {
		case kind == types.Bool, kind == types.Float, kind == types.String, kind == types.Unknown, kind.IsWideDecimal():
			return false
		}
	}
	return true
}

// sideType is the Go type of a join side's state.
func (o *opInfo) sideType(s joinSide) *jen.Statement {
	return rt("join.Side").Types(jen.Id(o.keyType()), jen.Id(s.in.rowType))
}

// joinCode generates a join operator: its key type, per side push<Op><Side>
// (probe the other side, emit the matches, keep the row), the function that
// emits one joined row through the steps after the join, and the NULL-padded
// rows of outer joins.
func (g *generator) joinCode(o *opInfo) {
	j := o.op.Join
	if j.Asof != nil {
		g.asofCode(o)
		return
	}
	ss := g.joinSides(o)
	var keyFields []jen.Code
	for i, k := range j.LeftKeys {
		keyFields = append(keyFields, jen.Id(fmt.Sprintf("K%d", i)).Add(baseType(k.Type().Kind)).Comment(commentLines(k.String() + " = " + j.RightKeys[i].String())[0]))
	}
	g.f.Comment(fmt.Sprintf("%s is a join key of %s.", o.keyType(), o.what()))
	g.f.Type().Id(o.keyType()).Struct(keyFields...)
	g.f.Line()
	semi := j.Kind == plan.SemiJoin || j.Kind == plan.AntiJoin
	for _, s := range ss {
		g.joinPush(o, ss, s, semi)
	}
	g.joinRow(o, ss, semi)
	if j.Interval != nil {
		g.joinEvict(o, ss)
	}
	if o.ttl() {
		g.joinExpire(o, ss)
	}
}

// ttlStamp generates, for a row of a regular join with state retention,
// now (its input's watermark: the row's stamp) and the span [lo, hi] of
// the stamps it meets; a retraction of a row whose entry expired, or is
// older than state_ttl, retracts nothing (the entry stays as it is: rows of
// the other input within state_ttl of it may still come), and that of a row
// of a preserved side keeps its count of matches in held.
func (g *generator) ttlStamp(o *opInfo, s joinSide) []jen.Code {
	ttl := jen.Lit(o.op.Join.TTL)
	code := []jen.Code{jen.Id("now").Op(":=").Add(g.watermarkExpr(o.op.SideWatermarks[s.i])).Comment("the row's stamp: its input's watermark")}
	if !s.updating {
		return append(code, jen.List(jen.Id("lo"), jen.Id("hi")).Op(":=").Add(rt("join.Span")).Call(jen.Id("now"), jen.Id("now"), ttl))
	}
	side := jen.Id("p").Dot(o.name + s.name)
	retract := []jen.Code{
		jen.Id("own").Op(":=").Add(side).Dot("Find").Call(jen.Id("k"), jen.Id("r")),
		jen.If(jen.Id("own").Op("==").Nil()).Block(jen.Return().Comment("its row expired: the joined rows it made stay")),
		jen.If(jen.Id("own").Dot("TS").Op("!=").Qual("math", "MinInt64").Op("&&").Id("own").Dot("TS").Op("<").Add(rt("window.ShiftWatermark")).Call(jen.Id("now"), jen.Lit(-o.op.Join.TTL))).Block(
			jen.Comment("its row is older than state_ttl: the retraction retracts nothing, and the row stays"),
			jen.Comment("for the rows within state_ttl of it still to come, until it expires"),
			jen.Return()),
		jen.Id("base").Op("=").Id("own").Dot("TS"),
	}
	code = append(code, jen.Id("base").Op(":=").Id("now").Comment("a retraction meets the rows within state_ttl of both it and its row"))
	if s.preserve {
		code = append(code, jen.Var().Id("held").Int64().Comment("a retracted row's count of matches, expired partners included"))
		retract = append(retract, jen.Id("held").Op("=").Id("own").Dot("Matches"))
	}
	code = append(code, jen.If(jen.Id("w").Op("<").Lit(0)).Block(retract...),
		jen.List(jen.Id("lo"), jen.Id("hi")).Op(":=").Add(rt("join.Span")).Call(jen.Id("now"), jen.Id("base"), ttl))
	return code
}

// ttl tells whether o is a regular join with state retention (state_ttl).
func (o *opInfo) ttl() bool {
	j := o.op.Join
	return j != nil && j.TTL > 0 && j.Interval == nil && j.Asof == nil
}

// joinPush generates push<Op><Side>. A semi or anti join emits left rows
// only: a left row's count of matches decides whether it is in the output.
func (g *generator) joinPush(o *opInfo, ss [2]joinSide, s joinSide, semi bool) {
	other := ss[1-s.i]
	env := make([]operand, len(s.in.op.Output))
	for i, c := range s.in.op.Output {
		env[i] = operand{jen.Id("r").Dot(s.in.fields[i]), c.Type.Nullable}
	}
	tmp := 0
	eg := &exprGen{tmp: &tmp, env: env, glob: g.glob, faults: new(bool)}
	w := jen.Code(jen.Lit(int64(1)))
	params := []jen.Code{jen.Id("r").Op("*").Id(s.in.rowType)}
	if s.updating {
		params = append(params, jen.Id("w").Int64())
		w = jen.Id("w")
	}
	// the key; a NULL in it matches nothing
	var nulls []jen.Code
	key := jen.Dict{}
	for i, k := range s.keys {
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
	body := eg.stmts
	if eg.faulty() {
		// a key whose arithmetic overflowed: the row is left out and reported
		body = append([]jen.Code{jen.Var().Id(faultVar).Add(rt("value.Fault"))}, body...)
		body = append(body, jen.If(jen.Id(faultVar).Op("!=").Lit(0)).Block(
			jen.Id("p").Dot("ctx").Dot("RowFailedRow").Call(jen.Lit(g.srcOf(o)), jen.Lit(o.op.Name),
				jen.Id("append"+s.in.rowType).Call(jen.Nil(), jen.Id("r"), jen.LitRune('+')), jen.Id(faultVar)),
			jen.Return()))
	}
	if len(nulls) > 0 {
		var onNull []jen.Code
		if s.preserve {
			onNull = append(onNull, jen.Id("p").Dot("pad"+o.fn+s.name).Call(jen.Id("r"), w))
		}
		body = append(body, jen.If(orAll(nulls)).Block(append(onNull, jen.Return())...))
	}
	body = append(body, jen.Id("k").Op(":=").Id(o.keyType()).Values(key))
	ttl := o.ttl()
	if ttl {
		body = append(body, g.ttlStamp(o, s)...)
	}
	if s.timeCol >= 0 {
		body = append(body, jen.If(jen.Id("r").Dot(s.in.fields[s.timeCol]).Op("<").Id("p").Dot(o.name+"WM").Index(jen.Lit(s.i))).Block(
			jen.Comment("behind its side's watermark: rows it should have met may be gone"),
			jen.Id("p").Dot("ctx").Dot("LateRow").Call(jen.Lit(o.op.SideWatermarks[s.i][0].Source), jen.Lit(o.op.Name),
				jen.Id("append"+s.in.rowType).Call(jen.Nil(), jen.Id("r"), jen.LitRune('+'))),
			jen.Return()))
	}
	// probe the other side
	pair := []jen.Code{jen.Id("r"), jen.Op("&").Id("e").Dot("Row")}
	if s.i == 1 {
		pair = []jen.Code{jen.Op("&").Id("e").Dot("Row"), jen.Id("r")}
	}
	var probe []jen.Code
	if o.ttl() {
		probe = append(probe, jen.If(jen.Op("!").Add(rt("join.Within")).Call(jen.Id("e").Dot("TS"), jen.Id("lo"), jen.Id("hi"))).Block(
			jen.Continue().Comment("beyond state_ttl of it: expired for this row")))
	}
	if o.op.Join.Residual != nil {
		probe = append(probe, jen.If(jen.Op("!").Id("p").Dot("on"+o.fn).Call(pair...)).Block(jen.Continue()))
	}
	weight := jen.Add(w).Op("*").Id("e").Dot("W")
	anti := o.op.Join.Kind == plan.AntiJoin
	in, out := jen.Id("e").Dot("W"), jen.Op("-").Id("e").Dot("W") // a left row comes in, goes out
	if anti {
		in, out = out, in
	}
	// an interval join is append-only: it pads a row once, when the row is
	// dropped unmatched (joinEvict), so a match only counts
	interval := o.op.Join.Interval != nil
	if semi && s.i == 1 {
		probe = append(probe,
			jen.Id("before").Op(":=").Id("e").Dot("Matches"),
			jen.Id("e").Dot("Matches").Op("+=").Add(w),
			jen.If(jen.Id("before").Op("==").Lit(0).Op("&&").Id("e").Dot("Matches").Op("!=").Lit(0)).Block(
				jen.Id("p").Dot("semi"+o.fn).Call(jen.Op("&").Id("e").Dot("Row"), in)),
			jen.If(jen.Id("before").Op("!=").Lit(0).Op("&&").Id("e").Dot("Matches").Op("==").Lit(0)).Block(
				jen.Id("p").Dot("semi"+o.fn).Call(jen.Op("&").Id("e").Dot("Row"), out)))
	} else if semi {
		probe = append(probe, jen.Id("matches").Op("+=").Id("e").Dot("W"))
	} else if other.preserve && interval {
		probe = append(probe, jen.Id("e").Dot("Matches").Op("+=").Add(w),
			jen.Id("p").Dot("join"+o.fn).Call(append(pair, weight)...))
	} else if other.preserve {
		probe = append(probe,
			jen.Id("before").Op(":=").Id("e").Dot("Matches"),
			jen.Id("e").Dot("Matches").Op("+=").Add(w),
			jen.If(jen.Id("before").Op("==").Lit(0).Op("&&").Id("e").Dot("Matches").Op("!=").Lit(0)).Block(
				jen.Comment("its first match: retract its NULL-padded row"),
				jen.Id("p").Dot("pad"+o.fn+other.name).Call(jen.Op("&").Id("e").Dot("Row"), jen.Op("-").Id("e").Dot("W"))),
			jen.Id("p").Dot("join"+o.fn).Call(append(pair, weight)...),
			jen.If(jen.Id("before").Op("!=").Lit(0).Op("&&").Id("e").Dot("Matches").Op("==").Lit(0)).Block(
				jen.Comment("its last match is gone: its NULL-padded row is back"),
				jen.Id("p").Dot("pad"+o.fn+other.name).Call(jen.Op("&").Id("e").Dot("Row"), jen.Id("e").Dot("W"))))
	} else {
		probe = append(probe, jen.Id("p").Dot("join"+o.fn).Call(append(pair, weight)...))
	}
	unmatched := o.op.Dedup[s.i] != nil // an inner join: the plain case above
	// an inner join whose other input is unique on the key: its row met
	// this one if it has come (physical.uniqueSides); one whose own input
	// is: the other side's rows of the key have met their one row
	uniqOther, uniqSelf := o.op.Unique[other.i], o.op.Unique[s.i]
	// a linked side finds the other side's row of the key through the
	// deduplication's partition (physical.linkSides): one lookup for both
	linked := unmatched && o.op.Dedup[s.i].Link != nil
	if linked {
		body = append(body, jen.List(jen.Id("held"), jen.Id("beaten")).Op(":=").Id("p").Dot("held"+o.fn+s.name).Call(jen.Id("r")),
			jen.If(jen.Id("beaten")).Block(
				jen.Comment("the deduplication reading the join would drop every row it joins into"),
				jen.Return()),
			jen.For(jen.Id("e").Op(":=").Id("held"), jen.Id("e").Op("!=").Nil(), jen.Id("e").Op("=").Nil()).Block(probe...),
			jen.If(jen.Id("held").Op("!=").Nil()).Block(
				jen.Comment("not kept: the other input is unique on the key, and its one row has come"),
				jen.Return()))
	} else if unmatched {
		body = append(body, jen.If(jen.Id("p").Dot("beaten"+o.fn+s.name).Call(jen.Id("r"))).Block(
			jen.Comment("the deduplication reading the join would drop every row it joins into"),
			jen.Return()))
		if !uniqOther { // else a match tells no more than the key's row being there
			probe = append(probe, jen.Id("matched").Op("=").True())
			body = append(body, jen.Id("matched").Op(":=").False())
		}
	}
	counts := s.preserve || (semi && s.i == 0) // the row keeps its count of matches
	if s.preserve {
		probe = append(probe, jen.Id("matches").Op("+=").Id("e").Dot("W"))
	}
	if counts {
		body = append(body, jen.Id("matches").Op(":=").Int64().Call(jen.Lit(0)))
	}
	// the other side's entries of the key, in arrival order
	if !linked {
		body = append(body, jen.Id("other").Op(":=").Id("p").Dot(o.name+other.name))
		firstFn := "FirstMap"
		if o.keyedSides() {
			firstFn = "First"
		}
		first := jen.Id("other").Dot(firstFn).Call(jen.Id("k"))
		if o.growingSides() {
			body = append(body, jen.Id("first").Op(":=").Add(first),
				jen.If(jen.Id("first").Op("==").Nil().Op("&&").Id("other").Dot("Grown").Call()).Block(
					jen.Comment("a side of many keys finds them through its keyIndex"),
					jen.Id("first").Op("=").Id("other").Dot("First").Call(jen.Id("k"))))
			first = jen.Id("first")
		} else if uniqOther || uniqSelf {
			body = append(body, jen.Id("first").Op(":=").Add(first))
			first = jen.Id("first")
		}
		body = append(body,
			jen.For(jen.Id("e").Op(":=").Add(first), jen.Id("e").Op("!=").Nil(), jen.Id("e").Op("=").Id("other").Dot("Next").Call(jen.Id("e"))).Block(probe...))
	}
	if ttl && s.preserve && s.updating {
		body = append(body, jen.If(jen.Id("w").Op("<").Lit(0)).Block(jen.Id("matches").Op("=").Id("held")))
	}
	if uniqSelf {
		body = append(body, jen.If(jen.Id("first").Op("!=").Nil()).Block(
			jen.Comment("this input is unique on the key: the other input's rows of it met its one row, and go"),
			jen.Id("other").Dot("RemoveKey").Call(jen.Id("k"))))
	}
	if uniqOther && !linked {
		body = append(body, jen.If(jen.Id("first").Op("!=").Nil()).Block(
			jen.Comment("not kept: the other input is unique on the key, and its one row has come"),
			jen.Return()))
	}
	if unmatched && !uniqOther {
		body = append(body, jen.If(jen.Id("matched")).Block(
			jen.Comment("not kept: a later match would rank equal to this one, after it, in the"),
			jen.Comment("deduplication reading the join, which would drop it (physical.dedupSides)"),
			jen.Return()))
	}
	switch {
	case s.preserve && !interval:
		body = append(body, jen.If(jen.Id("matches").Op("==").Lit(0)).Block(jen.Id("p").Dot("pad"+o.fn+s.name).Call(jen.Id("r"), w)))
	case semi && s.i == 0 && anti:
		body = append(body, jen.If(jen.Id("matches").Op("==").Lit(0)).Block(jen.Id("p").Dot("semi"+o.fn).Call(jen.Id("r"), w)))
	case semi && s.i == 0:
		body = append(body, jen.If(jen.Id("matches").Op("!=").Lit(0)).Block(jen.Id("p").Dot("semi"+o.fn).Call(jen.Id("r"), w)))
	}
	entry := jen.Dict{jen.Id("Row"): jen.Op("*").Id("r"), jen.Id("W"): w}
	if counts {
		entry[jen.Id("Matches")] = jen.Id("matches")
	}
	if s.dropCol >= 0 {
		ts := jen.Id("r").Dot(s.in.fields[s.dropCol])
		if s.in.op.Output[s.dropCol].Type.Nullable {
			// a NULL bound matches nothing: the row goes at the next watermark
			// (math.MinInt64 would be an untimed entry, see join.Side.Evict)
			body = append(body, jen.Id("ts").Op(":=").Add(ts).Dot("V"),
				jen.If(jen.Op("!").Add(ts).Dot("Valid")).Block(jen.Id("ts").Op("=").Qual("math", "MinInt64").Op("+").Lit(1)))
			ts = jen.Id("ts")
		}
		entry[jen.Id("TS")] = ts
		// the other side's watermark may have passed the row's bound already
		// (that input is ahead, or ended): no row to come can meet it, so it
		// is not kept (it would go at once; a window join's side whose input
		// closes its windows last would make and drop an entry per row)
		other := 1 - s.i
		gone := []jen.Code{jen.Comment("the other input's watermark has passed its bound: nothing to come can meet it")}
		if s.preserve {
			gone = append(gone, jen.If(jen.Id("matches").Op("==").Lit(0)).Block(jen.Id("p").Dot("pad"+o.fn+s.name).Call(jen.Id("r"), w)))
		}
		if g.linkedBy(o, s) {
			gone = append(gone, jen.Comment("nor any joined row of its key: the deduplication's partition is final"),
				g.linkState(o).Dot("Unlink").Call(g.linkKey(o, s)))
		}
		body = append(body, jen.If(jen.Add(ts).Op("<").Add(rt("window.ShiftWatermark")).Call(jen.Id("p").Dot(o.name+"WM").Index(jen.Lit(other)), jen.Lit(intervalShift(o.op.Join.Interval)[other]))).Block(
			append(gone, jen.Return())...))
	}
	if ttl {
		entry[jen.Id("TS")] = jen.Id("now")
		body = append(body, jen.Id("p").Dot(o.name+s.name).Dot("Put").Call(jen.Id("k"), rt("join.Entry").Types(jen.Id(s.in.rowType)).Values(entry), jen.Lit(s.updating)))
	} else if g.linkedBy(o, s) {
		body = append(body, jen.Comment("its key's partition of the deduplication holds it (physical.linkSides)"),
			g.linkState(o).Dot("Link").Call(g.linkKey(o, s),
				jen.Id("p").Dot(o.name+s.name).Dot("AddUnique").Call(jen.Id("k"), rt("join.Entry").Types(jen.Id(s.in.rowType)).Values(entry), jen.Lit(s.timeCol >= 0))))
	} else {
		body = append(body, jen.Id("p").Dot(o.name+s.name).Dot("Add").Call(jen.Id("k"), rt("join.Entry").Types(jen.Id(s.in.rowType)).Values(entry), jen.Lit(s.updating), jen.Lit(s.timeCol >= 0)))
	}
	g.f.Comment(fmt.Sprintf("push%s%s joins a row of %s (the %s input) with the rows of the other input.", o.fn, s.name, s.in.what(), sides[s.i]))
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("push" + o.fn + s.name).Params(params...).Block(body...)
	g.f.Line()
	if linked {
		g.joinHeld(o, s, ss[other.i])
	} else if unmatched {
		g.joinBeaten(o, s)
	}
}

// linkedBy tells whether side s of join o is the unique side whose rows
// the deduplication reading the join holds with their key's partition
// (physical.linkSides: the other side is a Dedup side with a Link).
func (g *generator) linkedBy(o *opInfo, s joinSide) bool {
	d := o.op.Dedup[1-s.i]
	return d != nil && d.Link != nil
}

// joinKeyless makes side s of join o, which the deduplication reading
// the join links (linkedBy), keyless: the deduplication's map is the one
// index of its keys (physical.linkSides), and a row's key is its key
// columns (column references: linkSides).
func (g *generator) joinKeyless(o *opInfo, s joinSide) jen.Code {
	keys := o.op.Join.LeftKeys
	if s.i == 1 {
		keys = o.op.Join.RightKeys
	}
	key := jen.Dict{}
	for i, k := range keys {
		f := jen.Id("r").Dot(s.in.fields[k.(*plan.ColRef).Index])
		if k.Type().Nullable { // a row kept has a key: its field is the value
			f = f.Dot("V")
		}
		key[jen.Id(fmt.Sprintf("K%d", i))] = f
	}
	return jen.Id("p").Dot(o.name + s.name).Dot("Keyless").Call(jen.Func().Params(jen.Id("r").Op("*").Id(s.in.rowType)).Id(o.keyType()).Block(
		jen.Return(jen.Id(o.keyType()).Values(key))))
}

// linkState is the state of the deduplication reading join o.
func (g *generator) linkState(o *opInfo) *jen.Statement {
	return jen.Id("p").Dot(g.ops[o.op.Consumers[0].Index].name)
}

// linkKey is the deduplication's partition key of join key k of join o,
// whose side s (either) is linked (physical.DedupSide.Link).
func (g *generator) linkKey(o *opInfo, s joinSide) jen.Code {
	top := g.ops[o.op.Consumers[0].Index]
	d := o.op.Dedup[s.i]
	if d == nil || d.Link == nil {
		d = o.op.Dedup[1-s.i]
	}
	key := jen.Dict{}
	in := top.inputs[0].op.Output
	for pi, ki := range d.Link {
		f := jen.Id("k").Dot(fmt.Sprintf("K%d", ki))
		if in[top.op.TopN.Partition[pi]].Type.Nullable { // a join key is never NULL
			f = rt("value.Of").Call(f)
		}
		key[jen.Id(fmt.Sprintf("K%d", pi))] = f
	}
	return jen.Id(top.keyType()).Values(key)
}

// joinHeld generates held<Op><Side> for a linked side (physical.linkSides):
// with the deduplication's one lookup, the other side's row of r's key (nil
// if none is held) and whether the row kept for the key's partition ranks
// before r's joined rows, or equal to them (it came first): it would drop
// each.
func (g *generator) joinHeld(o *opInfo, s, other joinSide) {
	d := o.op.Dedup[s.i]
	top := g.ops[o.op.Consumers[0].Index]
	t := top.op.TopN
	key := jen.Dict{}
	for i, c := range d.Partition {
		key[jen.Id(fmt.Sprintf("K%d", i))] = jen.Id("r").Dot(s.in.fields[c])
	}
	// the order's columns as r's (a column may be ordered by twice)
	own := map[int]int{}
	for i, k := range t.Order {
		own[k.Col] = d.Order[i]
	}
	rank := "rank" + o.fn + s.name
	g.f.Comment(fmt.Sprintf("%s orders a row kept by %s and the rows r joins into, by its ORDER BY", rank, top.what()))
	g.f.Comment("(of r's columns only: physical.dedupSides), as cmp" + top.fn + " would.")
	g.f.Func().Id(rank).Params(jen.Id("a").Op("*").Id(o.rowType), jen.Id("r").Op("*").Id(s.in.rowType)).Int().Block(
		append(cmpKeys(t.Order, top.inputs[0].op.Output,
			func(c int) *jen.Statement { return jen.Id("a").Dot(o.fields[c]) },
			func(c int) *jen.Statement { return jen.Id("r").Dot(s.in.fields[own[c]]) }),
			jen.Return(jen.Lit(0)))...)
	g.f.Line()
	entry := jen.Op("*").Add(rt("join.Entry")).Types(jen.Id(other.in.rowType))
	g.f.Comment(fmt.Sprintf("held%s%s finds, with one lookup of %s, the %s row of r's key (nil: none held) and", o.fn, s.name, top.what(), sides[other.i]))
	g.f.Comment("whether the row kept for the partition of the rows r joins into ranks before them, or equal")
	g.f.Comment("to them (it came first): it would drop every one.")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("held"+o.fn+s.name).Params(jen.Id("r").Op("*").Id(s.in.rowType)).Params(entry, jen.Bool()).Block(
		jen.List(jen.Id("best"), jen.Id("ref")).Op(":=").Id("p").Dot(top.name).Dot("BestRef").Call(jen.Id(top.keyType()).Values(key)),
		jen.If(jen.Id("best").Op("!=").Nil().Op("&&").Id(rank).Call(jen.Id("best"), jen.Id("r")).Op("<=").Lit(0)).Block(
			jen.Return(jen.Nil(), jen.True())),
		jen.If(jen.Id("ref").Op("==").Lit(0)).Block(jen.Return(jen.Nil(), jen.False())),
		jen.Return(jen.Id("p").Dot(o.name+other.name).Dot("Entry").Call(jen.Id("ref")), jen.False()))
	g.f.Line()
}

// joinBeaten generates beaten<Op><Side>, which tells whether the row the
// deduplication reading the join keeps for the partition of a row's joined
// rows ranks before them, or equal (it came first): it would drop each.
func (g *generator) joinBeaten(o *opInfo, s joinSide) {
	d := o.op.Dedup[s.i]
	top := g.ops[o.op.Consumers[0].Index]
	t := top.op.TopN
	key, row := jen.Dict{}, jen.Dict{}
	for i, c := range d.Partition {
		key[jen.Id(fmt.Sprintf("K%d", i))] = jen.Id("r").Dot(s.in.fields[c])
	}
	for i, k := range t.Order {
		row[jen.Id(o.fields[k.Col])] = jen.Id("r").Dot(s.in.fields[d.Order[i]])
	}
	g.f.Comment(fmt.Sprintf("beaten%s%s tells whether the row %s keeps for the partition of the rows r joins", o.fn, s.name, top.what()))
	g.f.Comment("into ranks before them, or equal to them (it came first): it would drop every one.")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("beaten"+o.fn+s.name).Params(jen.Id("r").Op("*").Id(s.in.rowType)).Bool().Block(
		jen.Id("best").Op(":=").Id("p").Dot(top.name).Dot("Best").Call(jen.Id(top.keyType()).Values(key)),
		jen.Return(jen.Id("best").Op("!=").Nil().Op("&&").Id("cmp"+top.fn).Call(jen.Id("best"), jen.Op("&").Id(o.rowType).Values(row)).Op("<=").Lit(0)))
	g.f.Line()
}

// joinEnv is the joined row's columns: the left row's (from l, or NULL), then
// the right row's (from r, or NULL). padded says which side is NULL (-1:
// none); wrap makes a column nullable where the join's output is.
func joinEnv(o *opInfo, ss [2]joinSide, padded int, wrap bool) []operand {
	out := o.op.Join.Schema()
	var env []operand
	for i, s := range ss {
		ref := []string{"l", "r"}[i]
		for c, col := range s.in.op.Output {
			t := out[len(env)].Type
			switch {
			case padded == i:
				// parenthesized: a composite literal in an if condition does not parse
				env = append(env, operand{jen.Parens(rt("value.Null").Types(baseType(col.Type.Kind)).Values()), true})
			case wrap && t.Nullable && !col.Type.Nullable:
				env = append(env, operand{rt("value.Of").Call(jen.Id(ref).Dot(s.in.fields[c])), true})
			default:
				env = append(env, operand{jen.Id(ref).Dot(s.in.fields[c]), col.Type.Nullable})
			}
		}
	}
	return env
}

// joinRow generates join<Op>, which runs the steps after the join on one
// joined row and emits it with weight w; on<Op>, the residual condition of
// the join over a pair of rows; and pad<Op><Side>, the NULL-padded row of an
// unmatched row of a preserved side.
func (g *generator) joinRow(o *opInfo, ss [2]joinSide, semi bool) {
	src := g.srcOf(o)
	// record is what a failed row reports: the input rows it was made of
	record := func(sides ...int) jen.Code {
		var x jen.Code = jen.Nil()
		for _, i := range sides {
			x = jen.Id("append"+ss[i].in.rowType).Call(x, jen.Id([]string{"l", "r"}[i]), jen.LitRune('+'))
		}
		return x
	}
	// emit runs the steps after the join; a row whose checked arithmetic
	// overflowed is left out and reported with the input rows
	emit := func(eg *exprGen, w jen.Code, from ...int) []jen.Code {
		code := stages(eg, o.op.Post, func(eg *exprGen) []jen.Code {
			out := jen.Id("out").Op(":=").Id(o.rowType).Values(rowValues(o, eg.env))
			if !o.op.Updating {
				return append(eg.stmts, eg.guard(out, jen.Id("p").Dot("emit"+o.fn).Call(jen.Op("&").Id("out"), jen.LitRune('+')))...)
			}
			// a weight of n is n copies of the change
			return append(eg.stmts, eg.guard(out, jen.For(jen.Range().Add(rt("join.Copies")).Call(w)).Block(
				jen.Id("p").Dot("emit"+o.fn).Call(jen.Op("&").Id("out"), rt("window.OpOf").Call(w))))...)
		})
		return eg.faultScope(code, func(f jen.Code) jen.Code {
			return jen.Id("p").Dot("ctx").Dot("RowFailedRow").Call(jen.Lit(src), jen.Lit(o.op.Name), record(from...), f)
		})
	}
	lr := []jen.Code{jen.Id("l").Op("*").Id(ss[0].in.rowType), jen.Id("r").Op("*").Id(ss[1].in.rowType)}
	if semi {
		in := ss[0].in
		env := make([]operand, len(in.op.Output))
		for i, c := range in.op.Output {
			env[i] = operand{jen.Id("l").Dot(in.fields[i]), c.Type.Nullable}
		}
		tmp := 0
		eg := &exprGen{tmp: &tmp, env: env, glob: g.glob, faults: new(bool)}
		g.f.Comment(fmt.Sprintf("semi%s emits left row l, with weight w, from %s.", o.fn, o.what()))
		g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("semi"+o.fn).Params(lr[0], jen.Id("w").Int64()).Block(emit(eg, jen.Id("w"), 0)...)
		g.f.Line()
	} else {
		tmp := 0
		eg := &exprGen{tmp: &tmp, env: joinEnv(o, ss, -1, true), glob: g.glob, faults: new(bool)}
		g.f.Comment(fmt.Sprintf("join%s emits the joined row of l and r, with weight w, from %s.", o.fn, o.what()))
		g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("join" + o.fn).Params(append(lr, jen.Id("w").Int64())...).Block(
			emit(eg, jen.Id("w"), 0, 1)...)
		g.f.Line()
	}
	if res := o.op.Join.Residual; res != nil {
		tmp := 0
		eg := &exprGen{tmp: &tmp, env: joinEnv(o, ss, -1, false), glob: g.glob, faults: new(bool)}
		c := truth(eg.expr(res))
		code := append(eg.stmts, jen.Return(c))
		if eg.faulty() {
			// a condition whose arithmetic overflowed holds for no pair; the pair is reported
			code = append([]jen.Code{jen.Var().Id(faultVar).Add(rt("value.Fault"))}, eg.stmts...)
			code = append(code, jen.Id("ok").Op(":=").Add(c),
				jen.If(jen.Id(faultVar).Op("!=").Lit(0)).Block(
					jen.Id("p").Dot("ctx").Dot("RowFailedRow").Call(jen.Lit(src), jen.Lit(o.op.Name), record(0, 1), jen.Id(faultVar)),
					jen.Return(jen.False())),
				jen.Return(jen.Id("ok")))
		}
		g.f.Comment(fmt.Sprintf("on%s tells whether l and r match beyond their keys: %s", o.fn, commentLines(res.String())[0]))
		g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("on" + o.fn).Params(lr...).Bool().Block(code...)
		g.f.Line()
	}
	for _, s := range ss {
		if !s.preserve {
			continue
		}
		tmp := 0
		eg := &exprGen{tmp: &tmp, env: joinEnv(o, ss, 1-s.i, true), glob: g.glob, faults: new(bool)}
		ref := []string{"l", "r"}[s.i]
		g.f.Comment(fmt.Sprintf("pad%s%s emits the %s row with NULLs for the other input, with weight w.", o.fn, s.name, sides[s.i]))
		g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("pad"+o.fn+s.name).Params(jen.Id(ref).Op("*").Id(s.in.rowType), jen.Id("w").Int64()).Block(
			emit(eg, jen.Id("w"), s.i)...)
		g.f.Line()
	}
}

// intervalShift is, per side's watermark, what it is shifted by to give the
// time before which the other side's rows go: a left row l matches right
// rows with times in [l + Lower, l + Upper], so the left watermark drops
// right rows before it + Lower, the right watermark left rows before it -
// Upper.
func intervalShift(iv *plan.Interval) [2]int64 { return [2]int64{iv.Lower, -iv.Upper} }

// joinEvict generates fire<Op> of an interval join: when a side's watermark
// moves, the other side's rows that can match nothing more go (an outer join
// emits the NULL-padded rows of those that matched nothing).
func (g *generator) joinEvict(o *opInfo, ss [2]joinSide) {
	shift := intervalShift(o.op.Join.Interval)
	var body []jen.Code
	for i := range ss {
		other := ss[1-i]
		var gone jen.Code = jen.Nil()
		linked := g.linkedBy(o, other)
		if linked {
			gone = jen.Func().Params(jen.Id("k").Id(o.keyType()), jen.Id("_").Op("*").Add(rt("join.Entry")).Types(jen.Id(other.in.rowType))).Block(
				g.linkState(o).Dot("Unlink").Call(g.linkKey(o, other)))
		}
		if other.preserve {
			gone = jen.Func().Params(jen.Id("_").Id(o.keyType()), jen.Id("e").Op("*").Add(rt("join.Entry")).Types(jen.Id(other.in.rowType))).Block(
				jen.If(jen.Id("e").Dot("Matches").Op("==").Lit(0)).Block(
					jen.Id("p").Dot("pad"+o.fn+other.name).Call(jen.Op("&").Id("e").Dot("Row"), jen.Id("e").Dot("W"))))
		}
		body = append(body, jen.If(jen.Id("wm").Index(jen.Lit(i)).Op(">").Id("p").Dot(o.name+"WM").Index(jen.Lit(i))).Block(
			jen.Id("p").Dot(o.name+"WM").Index(jen.Lit(i)).Op("=").Id("wm").Index(jen.Lit(i)),
			jen.Id("p").Dot("evict"+o.fn+other.name).Call()))
		g.f.Comment(fmt.Sprintf("evict%s%s drops the %s rows of %s that the %s watermark has passed the bound of.", o.fn, other.name, sides[other.i], o.what(), sides[i]))
		wm := rt("window.ShiftWatermark").Call(jen.Id("p").Dot(o.name+"WM").Index(jen.Lit(i)), jen.Lit(shift[i]))
		evict := []jen.Code{jen.Id("p").Dot(o.name+other.name).Dot("Evict").Call(wm, gone)}
		if linked { // a keyless side (joinKeyless)
			// each row that goes takes its key's partition of the deduplication
			// (physical.linkSides), but at the end of the other input: no row of
			// it is to come to find a partition, so the rows go at once
			evict = []jen.Code{jen.Id("t").Op(":=").Add(wm),
				jen.If(jen.Id("t").Op("==").Qual("math", "MaxInt64")).Block(
					jen.Comment("the other input ended: no row of it will look for the rows going"),
					jen.Id("p").Dot(o.name+other.name).Dot("EvictKeyless").Call(jen.Id("t"), jen.Nil()),
					jen.Return()),
				jen.Id("p").Dot(o.name+other.name).Dot("EvictKeyless").Call(jen.Id("t"), gone)}
		}
		g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("evict" + o.fn + other.name).Params().Block(evict...)
		g.f.Line()
	}
	g.f.Comment(fmt.Sprintf("fire%s moves the watermarks of the inputs of %s to wm, dropping the rows", o.fn, o.what()))
	g.f.Comment("that can match nothing more.")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("fire" + o.fn).Params(jen.Id("wm").Index(jen.Lit(2)).Int64()).Block(body...)
	g.f.Line()
}

// joinExpire generates fire<Op> of a regular join with state retention:
// the rows of either side stamped more than state_ttl before both inputs'
// watermarks go, counted: no row to come can meet them.
func (g *generator) joinExpire(o *opInfo, ss [2]joinSide) {
	var body []jen.Code
	for i := range ss {
		wm := jen.Id("p").Dot(o.name + "WM").Index(jen.Lit(i))
		body = append(body, jen.Add(wm).Op("=").Max(wm, jen.Id("wm").Index(jen.Lit(i))))
	}
	body = append(body,
		jen.Id("clock").Op(":=").Min(jen.Id("p").Dot(o.name+"WM").Index(jen.Lit(0)), jen.Id("p").Dot(o.name+"WM").Index(jen.Lit(1))),
		jen.If(jen.Id("clock").Op("==").Qual("math", "MaxInt64")).Block(jen.Return().Comment("both inputs ended: nothing more comes, nothing expires")),
		jen.Id("t").Op(":=").Add(rt("window.ShiftWatermark")).Call(jen.Id("clock"), jen.Lit(-o.op.Join.TTL)),
		jen.Id("p").Dot(o.name+"Expired").Op("+=").Id("p").Dot(o.name+ss[0].name).Dot("Expire").Call(jen.Id("t")).Op("+").Id("p").Dot(o.name+ss[1].name).Dot("Expire").Call(jen.Id("t")))
	g.f.Comment(fmt.Sprintf("fire%s moves the watermarks of the inputs of %s to wm and drops the rows", o.fn, o.what()))
	g.f.Comment(fmt.Sprintf("stamped more than its state_ttl (%s) before both of them.", plan.FormatMicros(o.op.Join.TTL)))
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("fire" + o.fn).Params(jen.Id("wm").Index(jen.Lit(2)).Int64()).Block(body...)
	g.f.Line()
}

// orAll is a || b || ...
func orAll(conds []jen.Code) jen.Code {
	out := jen.Add(conds[0])
	for _, c := range conds[1:] {
		out = out.Op("||").Add(c)
	}
	return out
}
