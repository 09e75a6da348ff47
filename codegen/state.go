package codegen

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/dave/jennifer/jen"
	"github.com/laminar-sql/laminar/compiler/types"
)

// snapshotVersion changes whenever the encoding of generated state changes;
// it is part of every state unit's ID, so old checkpoints are never misread.
const snapshotVersion = "snapshot-v1"

// stateCode generates the job.Stateful implementation: one state unit per
// source watermark and per aggregating operator, each saved and loaded with
// generated field-by-field encoders.
func (g *generator) stateCode() {
	type unit struct {
		id, name   string
		save, load []jen.Code
	}
	var units []unit
	for _, s := range g.sources {
		if s.src.TimeCol < 0 {
			continue
		}
		wm := jen.Id("p").Dot("src" + s.goName).Dot("wm")
		id := layoutID("source", s.src.Name, fmt.Sprint(s.src.Schema), s.src.TimeCol, s.src.Delay)
		u := unit{
			id: "source:" + s.src.Name + ":" + id, name: "source " + s.src.Name,
			save: []jen.Code{jen.Return(rt("snapshot.AppendInt").Call(jen.Id("buf"), wm))},
			load: []jen.Code{jen.Add(wm).Op("=").Id("d").Dot("Int").Call()},
		}
		if s.partitioned() {
			// and the watermark of each partition
			pw := jen.Id("p").Dot("src" + s.goName).Dot("pw")
			u.id = "source:" + s.src.Name + ":" + layoutID(id, "partitions")
			u.save = []jen.Code{jen.Return(jen.Add(pw).Dot("AppendTo").Call(rt("snapshot.AppendInt").Call(jen.Id("buf"), wm)))}
			u.load = append(u.load, jen.Add(pw).Dot("Load").Call(jen.Id("d")))
		}
		units = append(units, u)
	}
	for _, o := range g.ops {
		if o.op.Join != nil {
			id := layoutID(o.op.ID, fmt.Sprint(o.inputs[0].op.Output), fmt.Sprint(o.inputs[1].op.Output), o.op.SideUpdating, "join")
			if o.ttl() {
				id = layoutID(id, "ttl") // its entries' times are when they were written, and its watermarks follow
			}
			if o.op.Join.Asof != nil {
				id = layoutID(id, "asof")
				g.asofState(o)
			} else {
				g.joinState(o)
			}
			units = append(units, unit{
				id: "op:" + o.op.ID + ":" + id, name: o.what(),
				save: []jen.Code{jen.Return(jen.Id("p").Dot("save" + o.fn).Call(jen.Id("buf")))},
				load: []jen.Code{jen.Id("p").Dot("load" + o.fn).Call(jen.Id("d"))},
			})
			continue
		}
		if o.op.Lookup != nil && o.op.InputUpdating {
			id := layoutID(o.op.ID, fmt.Sprint(o.inputs[0].op.Output), fmt.Sprint(o.op.Lookup.Table.Schema), "lookup held")
			g.lookupState(o)
			units = append(units, unit{
				id: "op:" + o.op.ID + ":" + id, name: o.what(),
				save: []jen.Code{jen.Return(jen.Id("p").Dot("save" + o.fn).Call(jen.Id("buf")))},
				load: []jen.Code{jen.Id("p").Dot("load" + o.fn).Call(jen.Id("d"))},
			})
			continue
		}
		if o.op.TopN != nil {
			id := layoutID(o.op.ID, fmt.Sprint(o.inputs[0].op.Output), fmt.Sprint(o.op.Output), "topn")
			g.topnSaveLoad(o)
			units = append(units, unit{
				id: "op:" + o.op.ID + ":" + id, name: o.what(),
				save: []jen.Code{jen.Return(jen.Id("p").Dot("save" + o.fn).Call(jen.Id("buf")))},
				load: []jen.Code{jen.Id("p").Dot("load" + o.fn).Call(jen.Id("d"))},
			})
			continue
		}
		if o.op.Agg == nil {
			continue
		}
		g.opState(o)
		wm := o.src == nil && o.op.Windowed()
		// the output row is state only for an updating view (its last emitted
		// row): an append-only view keeps its state across output-only edits
		output := ""
		if o.op.Updating {
			output = fmt.Sprint(o.op.Output)
		}
		parts := []any{o.op.ID, fmt.Sprint(keyLayout(o)), fmt.Sprint(accLayout(o)), output, o.op.Updating, o.op.Windowed(), g.kvBacked(o), o.panes}
		if wm {
			parts = append(parts, "watermark")
		}
		id := layoutID(parts...)
		units = append(units, unit{
			id: "op:" + o.op.ID + ":" + id, name: o.what(),
			save: []jen.Code{jen.Return(jen.Id("p").Dot("save" + o.fn).Call(jen.Id("buf")))},
			load: []jen.Code{jen.Id("p").Dot("load" + o.fn).Call(jen.Id("d"))},
		})
	}
	var list, saves, loads []jen.Code
	for i, u := range units {
		list = append(list, jen.Values(jen.Dict{jen.Id("ID"): jen.Lit(u.id), jen.Id("Name"): jen.Lit(u.name)}))
		saves = append(saves, jen.Case(jen.Lit(i)).Block(u.save...))
		loads = append(loads, jen.Case(jen.Lit(i)).Block(u.load...))
	}
	g.f.Comment("stateUnits are the pieces of state a checkpoint saves. An ID changes when the")
	g.f.Comment("meaning or layout of its state does, so state is never loaded into the wrong shape.")
	g.f.Var().Id("stateUnits").Op("=").Index().Add(rt("job.StateUnit")).Values(list...)
	g.f.Line()
	g.f.Comment("StateUnits implements job.Stateful.")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("StateUnits").Params().Index().Add(rt("job.StateUnit")).Block(jen.Return(jen.Id("stateUnits")))
	g.f.Line()
	g.f.Comment("SaveState appends the encoded state of unit i to buf.")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("SaveState").Params(jen.Id("i").Int(), jen.Id("buf").Index().Byte()).Index().Byte().Block(
		jen.Switch(jen.Id("i")).Block(saves...), jen.Return(jen.Id("buf")))
	g.f.Line()
	g.f.Comment("LoadState replaces the state of unit i with data.")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("LoadState").Params(jen.Id("i").Int(), jen.Id("data").Index().Byte()).Error().Block(
		jen.Id("d").Op(":=").Add(rt("snapshot.NewDecoder")).Call(jen.Id("data")),
		jen.Switch(jen.Id("i")).Block(loads...),
		jen.Return(jen.Id("d").Dot("Finish").Call()))
	g.f.Line()
}

func layoutID(parts ...any) string {
	h := sha256.New()
	fmt.Fprintln(h, snapshotVersion)
	for _, p := range parts {
		fmt.Fprintf(h, "%v\n", p)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// opState generates save<op> and load<op> for an aggregating operator.
func (g *generator) opState(o *opInfo) {
	groups := rt("window.Groups").Types(jen.Id(o.keyType()), jen.Id(o.accType()))
	var save, load []jen.Code
	if o.session {
		g.sessionState(o)
		return
	}
	if o.op.Windowed() {
		save = []jen.Code{
			jen.Id("buf").Op("=").Add(rt("snapshot.AppendUint")).Call(jen.Id("buf"), jen.Uint64().Call(jen.Id("p").Dot(o.name).Dot("Len").Call())),
			jen.For(jen.Id("w").Op(":=").Lit(0).Op(";").Id("w").Op("<").Id("p").Dot(o.name).Dot("Len").Call().Op(";").Id("w").Op("++")).Block(
				jen.List(jen.Id("start"), jen.Id("grp")).Op(":=").Id("p").Dot(o.name).Dot("At").Call(jen.Id("w")),
				jen.Id("buf").Op("=").Add(rt("snapshot.AppendInt")).Call(jen.Id("buf"), jen.Id("start")),
				jen.Id("buf").Op("=").Id("save"+o.fn+"Groups").Call(jen.Id("buf"), jen.Id("grp")),
			),
			jen.Return(jen.Id("buf")),
		}
		load = []jen.Code{
			jen.For(jen.Id("n").Op(":=").Id("d").Dot("Len").Call().Op(";").Id("n").Op(">").Lit(0).Op(";").Id("n").Op("--")).Block(
				jen.Id("load"+o.fn+"Groups").Call(jen.Id("d"), jen.Id("p").Dot(o.name).Dot("Window").Call(jen.Id("d").Dot("Int").Call())),
			),
		}
		if o.panes {
			// which windows were emitted already
			save = append([]jen.Code{
				jen.Id("buf").Op("=").Add(rt("snapshot.AppendInt")).Call(jen.Id("buf"), jen.Id("p").Dot(o.name).Dot("Next")),
				jen.Id("buf").Op("=").Add(rt("snapshot.AppendBool")).Call(jen.Id("buf"), jen.Id("p").Dot(o.name).Dot("Started")),
			}, save...)
			load = append([]jen.Code{
				jen.Id("p").Dot(o.name).Dot("Next").Op("=").Id("d").Dot("Int").Call(),
				jen.Id("p").Dot(o.name).Dot("Started").Op("=").Id("d").Dot("Bool").Call(),
			}, load...)
		}
		if o.src == nil {
			// the watermark its windows closed at (a source's is a unit of its own)
			save = append([]jen.Code{jen.Id("buf").Op("=").Add(rt("snapshot.AppendInt")).Call(jen.Id("buf"), jen.Id("p").Dot(o.name+"WM"))}, save...)
			load = append([]jen.Code{jen.Id("p").Dot(o.name + "WM").Op("=").Id("d").Dot("Int").Call()}, load...)
		}
	} else {
		save = []jen.Code{jen.Return(jen.Id("save"+o.fn+"Groups").Call(jen.Id("buf"), jen.Id("p").Dot(o.name)))}
		load = []jen.Code{jen.Id("load"+o.fn+"Groups").Call(jen.Id("d"), jen.Id("p").Dot(o.name))}
	}
	g.stateFuncs(o, periodicSave(o, save), periodicLoad(o, load))

	// groups: count, then per group the key fields and the state fields
	encKey, decKey, encAcc, decAcc := groupCodecs(o)
	var encBody []jen.Code
	if len(encKey) > 0 {
		encBody = append(encBody, jen.Id("k").Op(":=").Id("grp").Dot("Key").Call(jen.Id("gi")))
	}
	if len(encAcc) > 0 {
		encBody = append(encBody, jen.Id("a").Op(":=").Id("grp").Dot("State").Call(jen.Id("gi")))
	}
	encBody = append(encBody, append(encKey, encAcc...)...)
	rangeGroups := jen.For(jen.Id("gi").Op(":=").Range().Id("grp").Dot("Count").Call()).Block(encBody...)
	if len(encBody) == 0 {
		rangeGroups = jen.Null() // nothing but the count to save
	}
	g.f.Func().Id("save"+o.fn+"Groups").Params(jen.Id("buf").Index().Byte(), jen.Id("grp").Op("*").Add(groups)).Index().Byte().Block(
		jen.Id("buf").Op("=").Add(rt("snapshot.AppendUint")).Call(jen.Id("buf"), jen.Uint64().Call(jen.Id("grp").Dot("Len").Call())),
		rangeGroups,
		jen.Return(jen.Id("buf")),
	)
	g.f.Line()
	decBody := []jen.Code{jen.Var().Id("key").Id(o.keyType())}
	if len(decKey) > 0 {
		decBody = append(decBody, jen.Id("k").Op(":=").Op("&").Id("key"))
	}
	decBody = append(decBody, decKey...)
	if len(decAcc) > 0 {
		decBody = append(decBody,
			jen.List(jen.Id("gi"), jen.Id("_")).Op(":=").Id("grp").Dot("Find").Call(jen.Id("key")),
			jen.Id("a").Op(":=").Id("grp").Dot("State").Call(jen.Id("gi")))
	} else {
		decBody = append(decBody, jen.Id("grp").Dot("Find").Call(jen.Id("key")))
	}
	decBody = append(decBody, decAcc...)
	decBody = append(decBody, pendingOnLoad(o)...)
	g.f.Func().Id("load"+o.fn+"Groups").Params(jen.Id("d").Op("*").Add(rt("snapshot.Decoder")), jen.Id("grp").Op("*").Add(groups)).Block(
		jen.Id("n").Op(":=").Id("d").Dot("Len").Call(),
		jen.Id("grp").Dot("Grow").Call(jen.Id("n")),
		jen.For(jen.Op(";").Id("n").Op(">").Lit(0).Op(";").Id("n").Op("--")).Block(decBody...),
	)
	g.f.Line()
}

func encodeField(x *jen.Statement, t types.Type) []jen.Code {
	enc := func(v jen.Code) jen.Code {
		fn := map[types.Kind]string{types.Bool: "snapshot.AppendBool", types.Float: "snapshot.AppendFloat", types.String: "snapshot.AppendString"}[t.Kind]
		switch {
		case t.Kind.IsWideDecimal():
			fn = "snapshot.AppendDec128"
		case fn == "":
			fn = "snapshot.AppendInt"
		}
		return jen.Id("buf").Op("=").Add(rt(fn)).Call(jen.Id("buf"), v)
	}
	if t.Nullable {
		return []jen.Code{enc(jen.Add(x).Dot("V")), jen.Id("buf").Op("=").Add(rt("snapshot.AppendBool")).Call(jen.Id("buf"), jen.Add(x).Dot("Valid"))}
	}
	return []jen.Code{enc(x)}
}

func decodeField(x *jen.Statement, t types.Type) []jen.Code {
	fn := map[types.Kind]string{types.Bool: "Bool", types.Float: "Float", types.String: "String"}[t.Kind]
	switch {
	case t.Kind.IsWideDecimal():
		fn = "Dec128"
	case fn == "":
		fn = "Int"
	}
	if t.Nullable {
		return []jen.Code{jen.Add(x).Dot("V").Op("=").Id("d").Dot(fn).Call(), jen.Add(x).Dot("Valid").Op("=").Id("d").Dot("Bool").Call()}
	}
	return []jen.Code{jen.Add(x).Op("=").Id("d").Dot(fn).Call()}
}

// groupCodecs are the statements that encode and decode one group of an
// operator: its key fields (k) and its state fields (a), including the last
// emitted row of an updating view. Checkpoints and the badger store share
// them.
func groupCodecs(o *opInfo) (encKey, decKey, encAcc, decAcc []jen.Code) {
	for _, f := range keyLayout(o) {
		encKey = append(encKey, encodeField(jen.Id("k").Dot(f.name), f.t)...)
		decKey = append(decKey, decodeField(jen.Id("k").Dot(f.name), f.t)...)
	}
	for _, f := range accLayout(o) {
		if f.multiset {
			encAcc = append(encAcc, encodeMultiset(jen.Id("a").Dot(f.name), f.t)...)
			decAcc = append(decAcc, decodeMultiset(jen.Id("a").Dot(f.name), f.t)...)
			continue
		}
		if f.container != "" {
			encAcc = append(encAcc, encodeContainer(jen.Id("a").Dot(f.name), f)...)
			decAcc = append(decAcc, decodeContainer(jen.Id("a").Dot(f.name), f)...)
			continue
		}
		encAcc = append(encAcc, encodeField(jen.Id("a").Dot(f.name), f.t)...)
		decAcc = append(decAcc, decodeField(jen.Id("a").Dot(f.name), f.t)...)
	}
	if o.op.Updating {
		for i, c := range o.op.Output {
			encAcc = append(encAcc, encodeField(jen.Id("a").Dot("last").Dot(o.fields[i]), c.Type)...)
			decAcc = append(decAcc, decodeField(jen.Id("a").Dot("last").Dot(o.fields[i]), c.Type)...)
		}
	}
	return encKey, decKey, encAcc, decAcc
}

// encodeMultiset encodes a multiset field: its size, then each value (in
// ascending order, so the encoding is deterministic) with its count.
func encodeMultiset(x *jen.Statement, t types.Type) []jen.Code {
	return []jen.Code{jen.Block(
		jen.List(jen.Id("vals"), jen.Id("counts")).Op(":=").Add(x).Dot("Sorted").Call(),
		jen.Id("buf").Op("=").Add(rt("snapshot.AppendUint")).Call(jen.Id("buf"), jen.Uint64().Call(jen.Len(jen.Id("vals")))),
		jen.For(jen.List(jen.Id("i"), jen.Id("v")).Op(":=").Range().Id("vals")).Block(
			append(encodeField(jen.Id("v"), types.Of(t.Kind)),
				jen.Id("buf").Op("=").Add(rt("snapshot.AppendInt")).Call(jen.Id("buf"), jen.Id("counts").Index(jen.Id("i"))))...),
	)}
}

func decodeMultiset(x *jen.Statement, t types.Type) []jen.Code {
	return []jen.Code{jen.For(jen.Id("n").Op(":=").Id("d").Dot("Len").Call().Op(";").Id("n").Op(">").Lit(0).Op(";").Id("n").Op("--")).Block(
		append([]jen.Code{jen.Var().Id("v").Add(baseType(t.Kind))}, append(decodeField(jen.Id("v"), types.Of(t.Kind)),
			jen.Add(x).Dot("Add").Call(jen.Id("v"), jen.Id("d").Dot("Int").Call()))...)...)}
}

// joinRestore puts entry e of key k back into side s of join o: a side the
// deduplication reading the join holds the rows of with their partitions
// (physical.linkSides) links the row again (its id is not checkpointed).
func (g *generator) joinRestore(o *opInfo, s joinSide, side *jen.Statement) jen.Code {
	timed := o.op.Join.Interval != nil || o.ttl()
	if g.linkedBy(o, s) {
		return g.linkState(o).Dot("Link").Call(g.linkKey(o, s), jen.Add(side).Dot("AddUnique").Call(jen.Id("k"), jen.Id("e"), jen.Lit(timed)))
	}
	return jen.Add(side).Dot("Restore").Call(jen.Id("k"), jen.Id("e"), jen.Lit(timed))
}

// joinState generates save<Op> and load<Op> of a join: per side its entries
// (key, row, weight, matches, time), then an interval join's watermarks.
func (g *generator) joinState(o *opInfo) {
	var save, load []jen.Code
	j := o.op.Join
	for _, s := range g.joinSides(o) {
		side := jen.Id("p").Dot(o.name + s.name)
		var enc, dec []jen.Code
		for i, k := range j.LeftKeys {
			t := types.Of(k.Type().Kind)
			enc = append(enc, encodeField(jen.Id("k").Dot(fmt.Sprintf("K%d", i)), t)...)
			dec = append(dec, decodeField(jen.Id("k").Dot(fmt.Sprintf("K%d", i)), t)...)
		}
		for c, col := range s.in.op.Output {
			enc = append(enc, encodeField(jen.Id("e").Dot("Row").Dot(s.in.fields[c]), col.Type)...)
			dec = append(dec, decodeField(jen.Id("e").Dot("Row").Dot(s.in.fields[c]), col.Type)...)
		}
		for _, f := range []string{"W", "Matches", "TS"} {
			enc = append(enc, encodeField(jen.Id("e").Dot(f), types.Of(types.Int))...)
			dec = append(dec, decodeField(jen.Id("e").Dot(f), types.Of(types.Int))...)
		}
		save = append(save,
			jen.Id("buf").Op("=").Add(rt("snapshot.AppendUint")).Call(jen.Id("buf"), jen.Uint64().Call(jen.Add(side).Dot("Len").Call())),
			jen.Add(side).Dot("Each").Call(jen.Func().Params(jen.Id("k").Id(o.keyType()), jen.Id("e").Op("*").Add(rt("join.Entry")).Types(jen.Id(s.in.rowType))).Block(enc...)))
		load = append(load, jen.For(jen.Id("n").Op(":=").Id("d").Dot("Len").Call().Op(";").Id("n").Op(">").Lit(0).Op(";").Id("n").Op("--")).Block(
			append(append([]jen.Code{jen.Var().Id("k").Id(o.keyType()), jen.Var().Id("e").Add(rt("join.Entry")).Types(jen.Id(s.in.rowType))}, dec...),
				g.joinRestore(o, s, side))...))
	}
	if j.Interval != nil || o.ttl() {
		for i := range 2 {
			wm := jen.Id("p").Dot(o.name + "WM").Index(jen.Lit(i))
			save = append(save, jen.Id("buf").Op("=").Add(rt("snapshot.AppendInt")).Call(jen.Id("buf"), wm))
			load = append(load, jen.Add(wm).Op("=").Id("d").Dot("Int").Call())
		}
	}
	save = append(save, jen.Return(jen.Id("buf")))
	g.stateFuncs(o, save, load)
}

// stateFuncs generates save<Op> and load<Op> of operator o from their bodies.
func (g *generator) stateFuncs(o *opInfo, save, load []jen.Code) {
	g.f.Comment(fmt.Sprintf("save%s encodes the state of %s.", o.fn, o.what()))
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("save" + o.fn).Params(jen.Id("buf").Index().Byte()).Index().Byte().Block(save...)
	g.f.Line()
	g.f.Comment(fmt.Sprintf("load%s decodes the state of %s into its empty state.", o.fn, o.what()))
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("load" + o.fn).Params(jen.Id("d").Op("*").Add(rt("snapshot.Decoder"))).Block(load...)
	g.f.Line()
}
