package main

import (
	"bytes"
	"math"
	"testing"

	"github.com/google/pprof/profile"

	"github.com/laminar-sql/laminar/runtime/job"
)

// TestTimeShares: each CPU sample goes to the operator of the innermost
// generated function on its stack (a reader called from an emit keeps its
// own), generated code of no operator to the source loops, the rest to the
// runtime.
func TestTimeShares(t *testing.T) {
	fns := map[string]*profile.Function{}
	var locs []*profile.Location
	at := func(line int64, names ...string) *profile.Location { // innermost inlined call first
		l := &profile.Location{ID: uint64(len(locs) + 1)}
		locs = append(locs, l)
		for _, n := range names {
			f, ok := fns[n]
			if !ok {
				f = &profile.Function{ID: uint64(len(fns) + 1), Name: n, Filename: "/job/pipeline.go"}
				fns[n] = f
			}
			l.Line = append(l.Line, profile.Line{Function: f, Line: line})
		}
		return l
	}
	loc := func(names ...string) *profile.Location { return at(1, names...) }
	loop := loc("main.(*engine).linesTrades")
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		Sample: []*profile.Sample{
			{Location: []*profile.Location{loc("runtime.mapaccess"), loc("main.(*engine).rowOp0"), loop}, Value: []int64{1, 33}},
			// appendV1Row is inlined into emitOp1, called from closeOp0's emit of op0's row into op1
			{Location: []*profile.Location{loc("main.appendV1Row", "main.(*engine).emitOp1"), loc("main.(*engine).pushOp1"), loc("main.(*engine).emitOp0"), loc("main.(*engine).closeOp0.func1"), loop}, Value: []int64{1, 30}},
			{Location: []*profile.Location{loc("main.saveOp0Groups"), loc("main.(*engine).SaveState")}, Value: []int64{1, 10}},
			{Location: []*profile.Location{loc("main.decodeTradesRowJSON"), loop}, Value: []int64{1, 7}},
			{Location: []*profile.Location{loc("runtime.gcBgMarkWorker")}, Value: []int64{1, 3}},
			// a filter fused into the loop, at lines 300-320 of pipeline.go
			{Location: []*profile.Location{loc("github.com/laminar-sql/laminar/runtime/value.TumbleStart"), at(310, "main.(*engine).ProcessTrades"), loop}, Value: []int64{1, 7}},
			{Location: []*profile.Location{at(321, "main.(*engine).ProcessTrades"), loop}, Value: []int64{1, 8}},
			{Location: []*profile.Location{loc("github.com/laminar-sql/laminar/runtime/nexmark.(*Generator).Fill"), loc("github.com/laminar-sql/laminar/runtime/connector.(*NexmarkSource).Next")}, Value: []int64{1, 2}},
			// a job split into packages: the operators' functions are in ops<N>
			{Location: []*profile.Location{loc("runtime.mapaccess"), loc("laminar.job/p/ops0.(*Ops0).RowOp0"), loop}, Value: []int64{1, 100}},
			{Location: []*profile.Location{loc("laminar.job/p/ops1.AppendV1Row", "laminar.job/p/ops1.(*Ops1).EmitOp1"), loc("main.(*engine).fireTrades")}, Value: []int64{1, 50}},
			{Location: []*profile.Location{loc("laminar.job/p/ops0.SaveOp0Groups"), loc("main.(*engine).SaveState")}, Value: []int64{1, 30}},
			{Location: []*profile.Location{loc("laminar.job/p/rows.Helper"), loop}, Value: []int64{1, 20}},
		},
	}
	for _, f := range fns {
		p.Function = append(p.Function, f)
	}
	p.Location = locs
	var buf bytes.Buffer
	if err := p.Write(&buf); err != nil {
		t.Fatal(err)
	}
	ops := []job.OperatorStatus{{Name: "counts", Funcs: "Op0"}, {Name: "rollup", Funcs: "Op1"}, {Name: "big", Funcs: "Op2", Lines: [2]int32{300, 320}}}
	shares, cpu, err := timeShares(buf.Bytes(), ops)
	if err != nil {
		t.Fatal(err)
	}
	// the split job's samples (300 of 300+100) add 130 to counts, 50 to rollup, 20 to the loops
	want := map[string]float64{"counts": 1.73 / 3, "rollup": 0.8 / 3, "big": 0.07 / 3, shareLoops: 0.35 / 3, shareConnectors: 0.02 / 3, shareOther: 0.03 / 3}
	for k, v := range want {
		if math.Abs(shares[k]-v) > 1e-9 {
			t.Errorf("%s: %.3f, want %.3f (all: %v)", k, shares[k], v, shares)
		}
	}
	if cpu != 300 {
		t.Errorf("cpu %v", cpu)
	}
	if _, _, err := timeShares([]byte("not a profile"), ops); err == nil {
		t.Error("a bad profile parsed")
	}
}
