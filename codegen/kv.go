package codegen

import (
	"fmt"

	"github.com/dave/jennifer/jen"
)

// kvBacked reports whether an operator keeps its groups in the badger
// store, as physical.PlaceState decided.
func (g *generator) kvBacked(o *opInfo) bool {
	return g.backend == "badger" && o.op.KV
}

// spillCall, at the end of a flush, hands the batch's groups to the store.
func (g *generator) spillCall(o *opInfo) jen.Code {
	if !g.kvBacked(o) {
		return jen.Null()
	}
	return jen.If(jen.Id("p").Dot("kv").Op("!=").Nil()).Block(jen.Id("p").Dot("spill" + o.fn).Call(jen.Id("grp")))
}

// kvCode generates the job.ExternalState implementation and, per operator
// in the store, load (on a group's first row of a batch) and spill (at the
// end of the batch: every group touched is written back and the in-memory
// groups are emptied, so memory holds one batch's groups).
func (g *generator) kvCode() {
	var backed []*opInfo
	for _, o := range g.ops {
		if g.kvBacked(o) {
			backed = append(backed, o)
		}
	}
	if len(backed) == 0 {
		return
	}
	f := g.f
	recv := jen.Id("p").Op("*").Id(coreType)
	open := []jen.Code{
		jen.List(jen.Id("kv"), jen.Id("err")).Op(":=").Add(rt("kvstate.Open")).Call(jen.Id("dir"), rt("kvstate.Options").Values()),
		jen.If(jen.Id("err").Op("!=").Nil()).Block(jen.Return(jen.Id("err"))),
		jen.If(jen.Id("err").Op(":=").Id("kv").Dot("Rollback").Call(jen.Id("epoch")), jen.Id("err").Op("!=").Nil()).Block(
			jen.Id("kv").Dot("Close").Call(), jen.Return(jen.Id("err"))),
		jen.Id("p").Dot("kv").Op("=").Id("kv"),
	}
	for _, o := range backed {
		open = append(open, jen.Id("p").Dot(o.name+"KV").Op("=").Id("kv").Dot("Table").Call(jen.Lit(o.op.ID)))
	}
	open = append(open, jen.Return(jen.Nil()))
	f.Comment("OpenState opens the store of keyed state in dir, as of checkpoint epoch.")
	f.Func().Params(recv).Id("OpenState").Params(jen.Id("dir").String(), jen.Id("epoch").Uint64()).Error().Block(open...)
	f.Line()
	f.Comment("CommitState writes what changed since the last checkpoint, as epoch. An")
	f.Comment("error of the store during processing is reported here.")
	f.Func().Params(recv).Id("CommitState").Params(jen.Id("epoch").Uint64()).Error().Block(
		jen.If(jen.Id("p").Dot("kvErr").Op("!=").Nil()).Block(jen.Return(jen.Id("p").Dot("kvErr"))),
		jen.Return(jen.Id("p").Dot("kv").Dot("Commit").Call(jen.Id("epoch"))))
	f.Line()
	f.Comment("CloseState closes the store.")
	f.Func().Params(recv).Id("CloseState").Params().Error().Block(jen.Return(jen.Id("p").Dot("kv").Dot("Close").Call()))
	f.Line()
	for _, o := range backed {
		groups := rt("window.Groups").Types(jen.Id(o.keyType()), jen.Id(o.accType()))
		encKey, _, encAcc, decAcc := groupCodecs(o)
		keyBuf := func() []jen.Code {
			return append([]jen.Code{jen.Id("buf").Op(":=").Id("p").Dot("kbuf").Index(jen.Empty(), jen.Lit(0))}, append(encKey, jen.Id("p").Dot("kbuf").Op("=").Id("buf"))...)
		}
		load := keyBuf()
		load = append(load,
			jen.List(jen.Id("v"), jen.Id("ok"), jen.Id("err")).Op(":=").Id("p").Dot(o.name+"KV").Dot("Get").Call(jen.Id("p").Dot("kbuf"), jen.Id("p").Dot("vbuf").Index(jen.Empty(), jen.Lit(0))),
			jen.If(jen.Id("err").Op("!=").Nil().Op("&&").Id("p").Dot("kvErr").Op("==").Nil()).Block(jen.Id("p").Dot("kvErr").Op("=").Id("err")),
			jen.If(jen.Op("!").Id("ok")).Block(jen.Return()),
			jen.Id("p").Dot("vbuf").Op("=").Id("v"),
			jen.Id("d").Op(":=").Add(rt("snapshot.NewDecoder")).Call(jen.Id("v")),
		)
		load = append(load, decAcc...)
		load = append(load, jen.If(jen.Id("err").Op(":=").Id("d").Dot("Finish").Call(), jen.Id("err").Op("!=").Nil().Op("&&").Id("p").Dot("kvErr").Op("==").Nil()).Block(
			jen.Id("p").Dot("kvErr").Op("=").Id("err")))
		f.Comment(fmt.Sprintf("fetch%s reads a group's state of view %s from the store.", o.fn, commentLines(o.op.Name)[0]))
		f.Func().Params(recv).Id("fetch"+o.fn).Params(jen.Id("k").Op("*").Id(o.keyType()), jen.Id("a").Op("*").Id(o.accType())).Block(load...)
		f.Line()
		spillBody := append([]jen.Code{
			jen.Id("k").Op(":=").Id("grp").Dot("Key").Call(jen.Id("gi")),
			jen.Id("a").Op(":=").Id("grp").Dot("State").Call(jen.Id("gi")),
		}, keyBuf()...)
		spillBody = append(spillBody, jen.Id("buf").Op("=").Id("p").Dot("vbuf").Index(jen.Empty(), jen.Lit(0)))
		spillBody = append(spillBody, encAcc...)
		spillBody = append(spillBody, jen.Id("p").Dot("vbuf").Op("=").Id("buf"),
			jen.Id("p").Dot(o.name+"KV").Dot("Put").Call(jen.Id("p").Dot("kbuf"), jen.Id("p").Dot("vbuf")))
		f.Comment(fmt.Sprintf("spill%s writes the groups of view %s touched in this batch to the store and", o.fn, commentLines(o.op.Name)[0]))
		f.Comment("forgets them.")
		f.Func().Params(recv).Id("spill"+o.fn).Params(jen.Id("grp").Op("*").Add(groups)).Block(
			jen.For(jen.Id("gi").Op(":=").Range().Id("grp").Dot("Count").Call()).Block(spillBody...),
			jen.Id("grp").Dot("Reset").Call())
		f.Line()
	}
}
