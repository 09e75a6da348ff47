package plan

import (
	"testing"

	"github.com/laminar-sql/laminar/compiler/types"
)

func TestEventTimes(t *testing.T) {
	ts := types.Of(types.Timestamp)
	src := &Source{Name: "s", Schema: Schema{{"k", types.Of(types.String)}, {"ts", ts}}, TimeCol: 1}
	scan := &Scan{Source: src}
	proj := &Project{Input: scan, Exprs: []Expr{&ColRef{Index: 1, Name: "ts", T: ts}, &ColRef{Index: 0, Name: "k", T: types.Of(types.String)}}, Names: []string{"t", "k"}}
	if got := EventTimes(proj); len(got) != 1 || got[0] != (TimeCol{0, 0}) {
		t.Errorf("a projection keeps the event-time column where it moves: %v", got)
	}
	w := &Window{Input: scan, Kind: Tumble, TimeCol: 1, Size: 10, Slide: 10}
	col := func(i int, name string) Expr { return &ColRef{Index: i, Name: name, T: ts} }
	agg := &Aggregate{Input: w, Keys: []Expr{col(2, "window_start"), col(3, "window_end")}, KeyNames: []string{"window_start", "window_end"}, WindowKey: 0, Emit: EmitOnClose}
	if got := EventTimes(agg); len(got) != 2 || got[0] != (TimeCol{0, -10}) || got[1] != (TimeCol{1, 0}) {
		t.Errorf("a windowed aggregate's bounds: %v, want window_start shifted by -size and window_end", got)
	}
	agg.Emit = EmitOnChanges
	if got := EventTimes(agg); len(got) != 0 {
		t.Errorf("an updating aggregate has no event time: %v", got)
	}
	other := &Source{Name: "o", Schema: src.Schema, TimeCol: -1}
	u := &Union{Arms: []Node{scan, &Scan{Source: other}}}
	if got := EventTimes(u); len(got) != 0 {
		t.Errorf("a union has event time only where every input has it: %v", got)
	}
}

func TestSourcesThroughViews(t *testing.T) {
	a := &Source{Name: "a"}
	b := &Source{Name: "b"}
	v := &View{Name: "v", Root: &Scan{Source: b}}
	n := &Union{Arms: []Node{&Scan{Source: a}, &ViewScan{View: v}, &Scan{Source: a}}}
	if got := Sources(n); len(got) != 2 || got[0] != a || got[1] != b {
		t.Errorf("Sources = %v", got)
	}
}
