// Package physical lowers optimized logical plans to what code generation
// emits: per view, one operator that fuses the stateless steps before its
// state (filter, project, window assignment) into the per-row loop, and the
// steps after it (HAVING, the final projection) into its emit code.
package physical

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/laminar-sql/laminar/compiler/plan"
)

// StageKind is a stateless step of a fused operator.
type StageKind int

const (
	StageFilter StageKind = iota + 1
	StageProject
	StageWindow
)

// Stage is one fused stateless step. Out is the schema after it.
type Stage struct {
	Kind   StageKind
	Pred   plan.Expr    // StageFilter
	Exprs  []plan.Expr  // StageProject
	Names  []string     // StageProject
	Window *plan.Window // StageWindow
	Out    plan.Schema
}

// Operator is one view compiled to a fused loop over its source's rows.
type Operator struct {
	View        *plan.View
	Source      *plan.Source
	SourceIndex int
	Pre         []Stage         // per input row, before the state
	Agg         *plan.Aggregate // nil for a stateless view
	Post        []Stage         // per emitted row, after the state
	Output      plan.Schema
	Updating    bool
	Sinks       []int // indexes into Plan.Sinks
	// ID identifies the operator's state across edits of the pipeline: a hash of
	// what determines its state (source, fused steps, keys, aggregates, window).
	ID string
}

// Windowed reports whether the operator keeps state per window.
func (o *Operator) Windowed() bool { return o.Agg != nil && o.Agg.WindowKey >= 0 }

// Window is the window assigner of a windowed operator, or nil.
func (o *Operator) Window() *plan.Window {
	for _, s := range o.Pre {
		if s.Kind == StageWindow {
			return s.Window
		}
	}
	return nil
}

// Plan is the physical plan of a whole pipeline.
type Plan struct {
	Pipeline  *plan.Pipeline
	Operators []*Operator
	// Needed[i][c] tells whether column c of source i is read by any operator.
	Needed [][]bool
}

// Build lowers an optimized pipeline. Views that feed no sink are left out,
// since nothing would read their rows, unless allViews is set (an embedding
// program reads every view).
func Build(p *plan.Pipeline, allViews bool) *Plan {
	out := &Plan{Pipeline: p}
	srcIndex := map[*plan.Source]int{}
	for i, s := range p.Sources {
		srcIndex[s] = i
		out.Needed = append(out.Needed, make([]bool, len(s.Schema)))
	}
	for _, v := range p.Views {
		var sinks []int
		for i, s := range p.Sinks {
			if s.View == v {
				sinks = append(sinks, i)
			}
		}
		if len(sinks) == 0 && !allViews {
			continue
		}
		op := Fuse(v)
		op.SourceIndex = srcIndex[op.Source]
		op.Sinks = sinks
		out.Operators = append(out.Operators, op)
		for c, need := range scanNeeded(v.Root) {
			if need {
				out.Needed[op.SourceIndex][c] = true
			}
		}
	}
	return out
}

func scanNeeded(n plan.Node) []bool {
	for {
		if s, ok := n.(*plan.Scan); ok {
			if s.Needed == nil {
				all := make([]bool, len(s.Source.Schema))
				for i := range all {
					all[i] = true
				}
				return all
			}
			return s.Needed
		}
		n = n.Inputs()[0]
	}
}

// Fuse turns a view's chain of operators into one fused operator: the
// stateless operators below the aggregate become its per-row stages, the ones
// above it its per-emitted-row stages.
func Fuse(v *plan.View) *Operator {
	var chain []plan.Node
	for n := v.Root; n != nil; {
		chain = append(chain, n)
		in := n.Inputs()
		if len(in) == 0 {
			break
		}
		n = in[0]
	}
	op := &Operator{View: v, Output: v.Root.Schema(), Updating: !v.Root.AppendOnly()}
	stages := &op.Pre
	for i := len(chain) - 1; i >= 0; i-- {
		switch n := chain[i].(type) {
		case *plan.Scan:
			op.Source = n.Source
		case *plan.Filter:
			*stages = append(*stages, Stage{Kind: StageFilter, Pred: n.Pred, Out: n.Schema()})
		case *plan.Project:
			*stages = append(*stages, Stage{Kind: StageProject, Exprs: n.Exprs, Names: n.Names, Out: n.Schema()})
		case *plan.Window:
			*stages = append(*stages, Stage{Kind: StageWindow, Window: n, Out: n.Schema()})
		case *plan.Aggregate:
			op.Agg = n
			stages = &op.Post
		}
	}
	op.ID = operatorID(op)
	return op
}

// operatorID hashes what decides the layout and meaning of the operator's
// state. Output-only steps (HAVING, the final projection) are left out: editing
// them keeps the state valid.
func operatorID(op *Operator) string {
	h := sha256.New()
	fmt.Fprintf(h, "source %s %v wm %d %d\n", op.Source.Name, op.Source.Schema, op.Source.TimeCol, op.Source.Delay)
	for _, s := range op.Pre {
		fmt.Fprintln(h, describeStage(s))
	}
	if op.Agg != nil {
		fmt.Fprintln(h, op.Agg.Describe())
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func describeStage(s Stage) string {
	switch s.Kind {
	case StageFilter:
		return "Filter " + s.Pred.String()
	case StageProject:
		parts := make([]string, len(s.Exprs))
		for i, e := range s.Exprs {
			parts[i] = e.String() + " AS " + s.Names[i]
		}
		return "Project " + strings.Join(parts, ", ")
	case StageWindow:
		return s.Window.Describe()
	}
	return "?"
}

// Format renders the physical plan for `laminarc explain`.
func Format(p *Plan) string {
	var b strings.Builder
	for i, src := range p.Pipeline.Sources {
		var ops []*Operator
		for _, op := range p.Operators {
			if op.SourceIndex == i {
				ops = append(ops, op)
			}
		}
		var cols []string
		for c, need := range p.Needed[i] {
			if need {
				cols = append(cols, src.Schema[c].Name)
			}
		}
		wm := "no watermark"
		if src.TimeCol >= 0 {
			wm = fmt.Sprintf("watermark %s - %s", src.Schema[src.TimeCol].Name, plan.FormatMicros(src.Delay))
		}
		fmt.Fprintf(&b, "Source %s (%s, %s; decode [%s]; %s)\n", src.Name, src.Connector, src.Format, strings.Join(cols, ", "), wm)
		if len(ops) == 0 {
			b.WriteString("  (no operator reads it)\n")
		}
		for _, op := range ops {
			prop := "append-only"
			if op.Updating {
				prop = "updating"
			}
			fmt.Fprintf(&b, "  Fused loop -> view %s  (%s, operator %s)\n", op.View.Name, prop, op.ID)
			for _, s := range op.Pre {
				fmt.Fprintf(&b, "    %s\n", describeStage(s))
			}
			if op.Agg != nil {
				fmt.Fprintf(&b, "    %s\n", op.Agg.Describe())
				fmt.Fprintf(&b, "      state: %s\n", stateText(op))
				for _, s := range op.Post {
					fmt.Fprintf(&b, "    emit: %s\n", describeStage(s))
				}
			} else {
				b.WriteString("      state: none\n")
			}
			for _, si := range op.Sinks {
				s := p.Pipeline.Sinks[si]
				fmt.Fprintf(&b, "    -> sink %s (%s)\n", s.Name, s.Connector)
			}
		}
	}
	return b.String()
}

func stateText(op *Operator) string {
	keys := len(op.Agg.Keys)
	if op.Windowed() {
		keys--
		w := op.Window()
		open := "one open window at a time, in arrival order"
		if w.Kind == plan.Hop {
			open = fmt.Sprintf("up to %d overlapping windows per row", w.Size/w.Slide)
		}
		return fmt.Sprintf("per window: map[%d-column key]aggregates, freed when the watermark passes the window end (%s)", keys, open)
	}
	return fmt.Sprintf("map[%d-column key]aggregates + last emitted row, kept forever (updating)", keys)
}
