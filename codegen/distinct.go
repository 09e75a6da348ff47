package codegen

import (
	"fmt"

	"github.com/dave/jennifer/jen"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// COUNT(DISTINCT col) aggregates of an append-only input that count the
// same column (each with its own FILTER, as Nexmark q15's four per column)
// share one window.DistinctSet D<owner>: a row sets the bit of each
// aggregate it reaches in a mask dm<owner>, then probes the set once.

// distinctSlot places an aggregate in a shared set: the index of the
// aggregate that owns the field, and its bit.
type distinctSlot struct{ owner, bit int }

// sharedDistinct maps the aggregates that share a set to their slots; a
// column counted by one aggregate keeps its multiset (and its state layout).
func sharedDistinct(aggs []plan.Agg, weighted bool) map[int]distinctSlot {
	if weighted {
		return nil // retractions need counts per value and aggregate: multisets
	}
	byCol := map[string][]int{}
	var cols []string
	for i, a := range aggs {
		if _, isCol := a.Arg.(*plan.ColRef); !isCol || !a.Distinct || a.Func != plan.Count {
			continue
		}
		id := plan.Identity(a.Arg)
		if byCol[id] == nil {
			cols = append(cols, id)
		}
		byCol[id] = append(byCol[id], i)
	}
	out := map[int]distinctSlot{}
	for _, id := range cols {
		idx := byCol[id]
		if len(idx) < 2 || len(idx) > 64 {
			continue
		}
		for bit, i := range idx {
			out[i] = distinctSlot{idx[0], bit}
		}
	}
	return out
}

// distinctField is the state field of the set owned by aggregate i.
func distinctField(i int, aggs []plan.Agg, shared map[int]distinctSlot) field {
	comment := ""
	for j := range aggs {
		if s, ok := shared[j]; ok && s.owner == i {
			if comment != "" {
				comment += ", "
			}
			comment += aggs[j].String()
		}
	}
	return field{fmt.Sprintf("D%d", i), types.Of(aggs[i].Arg.Type().Kind), comment, false, fmt.Sprintf("distinct%d", maskBits(i, shared))}
}

// maskBits is the width of the smallest mask type with a bit for each
// aggregate of owner's set.
func maskBits(owner int, shared map[int]distinctSlot) int {
	n := 0
	for _, s := range shared {
		if s.owner == owner {
			n++
		}
	}
	for _, w := range []int{8, 16, 32} {
		if n <= w {
			return w
		}
	}
	return 64
}

func maskType(bits int) jen.Code { return jen.Id(fmt.Sprintf("uint%d", bits)) }

func maskVar(owner int) string { return fmt.Sprintf("dm%d", owner) }

// sharedMasks declares the row's mask of each set.
func sharedMasks(shared map[int]distinctSlot, aggs int) []jen.Code {
	var out []jen.Code
	for i := range aggs { // owners in index order: deterministic output
		if s, ok := shared[i]; ok && s.owner == i {
			out = append(out, jen.Var().Id(maskVar(i)).Add(maskType(maskBits(i, shared))))
		}
	}
	return out
}

// foldShared sets the aggregate's bit when the row reaches it: its FILTER
// holds and its argument is not NULL.
func foldShared(eg *exprGen, a plan.Agg, slot distinctSlot) []jen.Code {
	x := eg.expr(a.Arg)
	// an untyped constant: the mask is uint8 … uint64
	upd := []jen.Code{jen.Id(maskVar(slot.owner)).Op("|=").Id(fmt.Sprint(uint64(1) << slot.bit))}
	if x.nullable {
		upd = []jen.Code{jen.If(jen.Add(x.code).Dot("Valid")).Block(upd...)}
	}
	if a.Filter != nil {
		upd = []jen.Code{jen.If(truth(eg.expr(a.Filter))).Block(upd...)}
	}
	return upd
}

// addShared probes each set once with the row's mask.
func addShared(eg *exprGen, aggs []plan.Agg, shared map[int]distinctSlot) []jen.Code {
	var out []jen.Code
	for i := range aggs {
		if s, ok := shared[i]; !ok || s.owner != i {
			continue
		}
		x := eg.expr(aggs[i].Arg)
		v := x.code
		if x.nullable {
			v = jen.Add(x.code).Dot("V")
		}
		m := jen.Id(maskVar(i))
		out = append(out, jen.If(jen.Add(m).Op("!=").Lit(0)).Block(
			jen.Id("acc").Dot(fmt.Sprintf("D%d", i)).Dot("Add").Call(v, m)))
	}
	return out
}

// finishShared is an aggregate's distinct count.
func finishShared(slot distinctSlot) operand {
	return operand{jen.Id("acc").Dot(fmt.Sprintf("D%d", slot.owner)).Dot("Count").Call(jen.Lit(slot.bit)), false}
}
