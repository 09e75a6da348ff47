// Package plan is the logical plan of a pipeline: sources, views as trees of
// relational operators over bound expressions, and sinks. It is pure data:
// the binder builds it, optimizer rules rewrite it, the physical planner
// lowers it.
package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/laminar-sql/laminar/compiler/ast"
	"github.com/laminar-sql/laminar/compiler/types"
)

// Column is a named, typed column of a schema.
type Column struct {
	Name string
	Type types.Type
}

// Schema is the ordered list of columns a node produces.
type Schema []Column

// Index finds a column by name (names are compared exactly; the binder folds case).
func (s Schema) Index(name string) int {
	for i, c := range s {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// Source is a CREATE SOURCE.
type Source struct {
	Name      string
	Pos       ast.Pos
	Schema    Schema
	Connector string
	Format    string
	Options   map[string]string
	// Watermark: the event-time column and the bounded out-of-orderness delay
	// in µs. TimeCol is -1 when the source declares no watermark.
	TimeCol int
	Delay   int64
	SQL     string
	// PrimaryKey, when set, makes the source a versioned table: each row is
	// a new version of its key, valid from its event time (temporal joins).
	PrimaryKey []int
	// Unique holds column sets no two rows of an append-only source ever
	// share: declared by the connector (Nexmark generates each person and
	// auction id once) or by UNIQUE (cols) NOT ENFORCED. Laminar does not
	// check them: a join may keep fewer rows on their word (UniqueSets).
	Unique [][]int
	// Typed is set for a typed connector (compiler/connectors), whose rows
	// arrive as Go structs: where each column is.
	Typed *TypedBinding
	// Updating tells that the source's rows carry weights (a CDC stream, a
	// changelog format): insertions and retractions, as an updating edge.
	Updating bool
	// Partitioned tells that the source's records come from partitions
	// (Kafka): its watermark is kept per partition, combined by minimum.
	Partitioned bool
	// Metadata, when the source has metadata columns, is each column's
	// metadata key ("offset", "key", ...; "" for a column of the record's
	// value): the connector fills it, not the decoder.
	Metadata []string
	// ProcCols are the source's processing-time columns (`p AS PROCTIME()`),
	// not in Schema: a scan of the source adds them (see ProcTimeCols).
	ProcCols []ProcCol
}

// ProcCol is a processing-time column of a source: At is its place among
// the columns as declared (Schema's columns and the ProcCols).
type ProcCol struct {
	At   int
	Name string
}

// TypedBinding says where a typed source's rows are. Its batches hold
// elements of type Elem (a runtime symbol, e.g. "nexmark.Event"); those whose
// field Filter equals FilterValue (a runtime symbol; no filter when Filter is
// "") are this source's rows: the element's field Row, of type RowType, or the
// element itself when Row is "". Fields names, per column, the row's field.
//
// Columnar bindings (Parquet) hold columns, not rows: the batch is an Elem
// (a struct with Len and Columns), and Fields names, per column, the slice
// of Columns[i] that holds its values (Int64, NullString, ...); the loop
// reads value ri of each column the views read.
type TypedBinding struct {
	Columnar    bool
	Elem        string
	Filter      string
	FilterValue string
	Row         string
	RowType     string
	Fields      []string
}

// EmitMode says when an aggregate emits.
type EmitMode int

const (
	EmitOnClose   EmitMode = iota + 1 // once per window, when the watermark passes its end (append-only)
	EmitOnChanges                     // after every batch, as retraction/insert pairs (updating)
	// EmitAfterWatermark emits a window's row once the watermark passes its
	// end, then a retraction and a new row for each batch of late rows
	// within the allowed lateness (updating).
	EmitAfterWatermark
	// EmitPeriodically emits the changed windows' current rows each time the
	// watermark crosses a multiple of Aggregate.Period, and each window's
	// final row when it closes (updating).
	EmitPeriodically
)

func (m EmitMode) String() string {
	switch m {
	case EmitOnClose:
		return "ON WINDOW CLOSE"
	case EmitAfterWatermark:
		return "AFTER WATERMARK"
	case EmitPeriodically:
		return "PERIODICALLY"
	}
	return "CHANGES"
}

// Node is a logical operator.
type Node interface {
	Schema() Schema
	Inputs() []Node
	// AppendOnly reports whether the stream this node produces only ever
	// inserts rows (false: an updating Z-set with retractions).
	AppendOnly() bool
	Describe() string
}

// Scan reads a source. Needed lists the source columns read downstream
// (projection pruning fills it; nil means all).
type Scan struct {
	Source *Source
	Needed []bool
}

// Filter keeps rows where Pred is TRUE.
type Filter struct {
	Input Node
	Pred  Expr
}

// Project computes Exprs over its input, named Names.
type Project struct {
	Input Node
	Exprs []Expr
	Names []string
}

// WindowKind is the window assigner.
type WindowKind int

const (
	Tumble WindowKind = iota + 1
	Hop
	Session  // per group key, closed by a gap of inactivity (Size is the gap)
	Cumulate // windows from each Size-aligned start growing by Slide up to Size
)

// Window assigns each row to its windows and appends window_start and
// window_end (TIMESTAMP NOT NULL) to the input's columns. A hopping window
// copies the row into each of its windows.
type Window struct {
	Input   Node
	Kind    WindowKind
	TimeCol int   // event-time column of the input
	Size    int64 // µs
	Slide   int64 // µs; equals Size for TUMBLE
	Offset  int64 // µs
	// Partition is a SESSION window's PARTITION BY (Flink's TVF form), over
	// the input; the binder checks that it names the GROUP BY keys.
	Partition []Expr
	// Proc tells that TimeCol is a processing-time attribute (PROCTIME()):
	// the windows close on the wall clock, not on a watermark.
	Proc bool
}

// AggFunc is an aggregate function.
type AggFunc string

const (
	Count     AggFunc = "COUNT"
	CountStar AggFunc = "COUNT(*)"
	Sum       AggFunc = "SUM"
	Min       AggFunc = "MIN"
	Max       AggFunc = "MAX"
	Avg       AggFunc = "AVG"
	// by event time (Time): the value of the earliest or latest row
	FirstValue AggFunc = "FIRST_VALUE"
	LastValue  AggFunc = "LAST_VALUE"
	// moments (Welford's running mean and squared deviations)
	StddevPop  AggFunc = "STDDEV_POP"
	StddevSamp AggFunc = "STDDEV_SAMP"
	VarPop     AggFunc = "VAR_POP"
	VarSamp    AggFunc = "VAR_SAMP"
	// a HyperLogLog sketch over append-only input
	ApproxCountDistinct AggFunc = "APPROX_COUNT_DISTINCT"
)

// Moments reports whether f is a STDDEV or VARIANCE aggregate.
func (f AggFunc) Moments() bool {
	return f == StddevPop || f == StddevSamp || f == VarPop || f == VarSamp
}

// Agg is one aggregate call; Arg is nil for COUNT(*). Distinct counts each
// value once (COUNT(DISTINCT x)); Filter, when set, keeps only the rows where
// it is TRUE (FILTER (WHERE …)), over the aggregate's input.
type Agg struct {
	Func     AggFunc
	Arg      Expr
	T        types.Type
	Distinct bool
	Filter   Expr
	// Time orders FIRST_VALUE and LAST_VALUE: the input's event-time column
	Time Expr
}

func (a Agg) String() string {
	s := "COUNT(*)"
	switch {
	case a.Func == CountStar:
	case a.Distinct:
		s = string(a.Func) + "(DISTINCT " + a.Arg.String() + ")"
	default:
		s = string(a.Func) + "(" + a.Arg.String() + ")"
	}
	if a.Filter != nil {
		s += " FILTER (WHERE " + a.Filter.String() + ")"
	}
	return s
}

// Aggregate groups its input by Keys and computes Aggs; it outputs the keys
// then the aggregates. Window >= 0 is the position in Keys of the
// window_start (or window_end) column of a Window input: the aggregate is then
// windowed and its state per window is dropped when the window closes.
type Aggregate struct {
	Input     Node
	Keys      []Expr
	KeyNames  []string
	Aggs      []Agg
	AggNames  []string
	Emit      EmitMode
	WindowKey int // index into Keys of the window column, or -1
	// WindowEnd is true when the window key is window_end rather than window_start.
	WindowEnd bool
	// Lateness is ALLOWED LATENESS (µs): a window keeps its state, and takes
	// rows, until the watermark passes its end plus Lateness.
	Lateness int64
	// Period is EMIT PERIODICALLY's interval (µs).
	Period int64
	// SplitDistinct asks the optimizer's SplitDistinct rule to compute the
	// COUNT(DISTINCT) aggregates in two levels over this many buckets (0:
	// not asked; SET 'distinct_split').
	SplitDistinct int
	// Split says, for plans and explain, what the SplitDistinct rule made of
	// the aggregate: its partial or final level, or why it was not split.
	Split string
}

// ViewScan reads the output of another view. It is a leaf of the reading
// view's tree, so rewrites of one view never change what another reads; the
// physical planner connects it to the one operator computing that view.
type ViewScan struct {
	View *View
}

// Union is UNION ALL of inputs whose schemas are equal (the binder casts
// each input to the widened types and the first input's names).
type Union struct {
	Arms []Node
}

// JoinKind is the kind of a join.
type JoinKind int

const (
	InnerJoin JoinKind = iota + 1
	LeftJoin
	RightJoin
	FullJoin
	SemiJoin // the left rows with a match (IN, EXISTS)
	AntiJoin // the left rows without a match (NOT IN, NOT EXISTS)
)

func (k JoinKind) String() string {
	return [...]string{"?", "INNER", "LEFT", "RIGHT", "FULL", "SEMI", "ANTI"}[k]
}

// Join is an equi-join: a left row and a right row match when every
// LeftKeys[i] equals RightKeys[i] (NULL matches nothing) and Residual (over
// the joined row: left columns, then right columns) is TRUE. Its output is
// the left columns then the right columns; an outer join pads the missing
// side with NULLs.
//
// With Interval set it is an interval join: rows match only when the right
// row's time lies within [left time + Lower, left time + Upper], so each
// side's rows can be dropped once the other side's watermark has passed
// their last possible match, and its output only inserts.
type Join struct {
	Left, Right Node
	Kind        JoinKind
	LeftKeys    []Expr
	RightKeys   []Expr
	Residual    Expr // nil when none
	// Implied are the equalities of the ON clause that the keys imply and
	// that are therefore not keys, for explain: a window_end equal on both
	// sides when their window_start is and the windows have one size
	// (ImpliedEnds).
	Implied  []string
	Interval *Interval
	Asof     *Asof // an ASOF join (Kind InnerJoin or LeftJoin), or nil
	// TTL, for a regular join, is its state retention in µs of event time
	// (0: rows are kept until retracted): rows are stamped with their
	// input's watermark on arrival, join only within TTL of each other, and
	// go once both inputs' watermarks pass their stamp plus TTL (state_ttl;
	// binder/ttl.go, runtime/join/ttl.go).
	TTL int64
}

// Interval is the time bound of an interval join:
// right.RightTime BETWEEN left.LeftTime + Lower AND left.LeftTime + Upper,
// where LeftTime and RightTime are the inputs' event-time columns.
//
// Either end may be another column of the row it bounds (LeftEnd, RightStart;
// equal to LeftTime and RightTime for a constant bound): the upper end is
// right.RightTime <= left.LeftEnd + Upper (an auction's expiry in Nexmark q9's
// BETWEEN a.dateTime AND a.expires), so a left row goes once the right
// watermark passes its LeftEnd + Upper; the lower end is right.RightStart >=
// left.LeftTime + Lower, so a right row goes once the left watermark passes
// its RightStart - Lower. Rows behind their own side's watermark (by LeftTime,
// RightTime) are late.
type Interval struct {
	LeftTime, RightTime int // the event-time columns of each side
	Lower, Upper        int64
	LeftEnd, RightStart int // the columns the ends bound (see above)
}

// Columns reports whether both ends bound the time columns (a constant
// window around each row), not other columns of the rows.
func (iv *Interval) Columns() bool { return iv.LeftEnd == iv.LeftTime && iv.RightStart == iv.RightTime }

func (n *Scan) Schema() Schema { return n.Source.Schema }
func (n *Join) Schema() Schema {
	if n.Kind == SemiJoin || n.Kind == AntiJoin {
		return n.Left.Schema()
	}
	var s Schema
	for _, c := range n.Left.Schema() {
		c.Type.Nullable = c.Type.Nullable || n.Kind == RightJoin || n.Kind == FullJoin
		s = append(s, c)
	}
	for _, c := range n.Right.Schema() {
		c.Type.Nullable = c.Type.Nullable || n.Kind == LeftJoin || n.Kind == FullJoin
		s = append(s, c)
	}
	return s
}
func (n *ViewScan) Schema() Schema { return n.View.Root.Schema() }
func (n *Union) Schema() Schema    { return n.Arms[0].Schema() }
func (n *Filter) Schema() Schema {
	return n.Input.Schema()
}
func (n *Project) Schema() Schema {
	s := make(Schema, len(n.Exprs))
	for i, e := range n.Exprs {
		s[i] = Column{Name: n.Names[i], Type: e.Type()}
	}
	return s
}
func (n *Window) Schema() Schema {
	in := n.Input.Schema()
	s := append(Schema{}, in...)
	return append(s, Column{"window_start", types.Of(types.Timestamp)}, Column{"window_end", types.Of(types.Timestamp)})
}
func (n *Aggregate) Schema() Schema {
	s := make(Schema, 0, len(n.Keys)+len(n.Aggs))
	for i, k := range n.Keys {
		s = append(s, Column{n.KeyNames[i], k.Type()})
	}
	for i, a := range n.Aggs {
		s = append(s, Column{n.AggNames[i], a.T})
	}
	return s
}

func (n *Scan) Inputs() []Node      { return nil }
func (n *ViewScan) Inputs() []Node  { return nil }
func (n *Join) Inputs() []Node      { return []Node{n.Left, n.Right} }
func (n *Union) Inputs() []Node     { return n.Arms }
func (n *Filter) Inputs() []Node    { return []Node{n.Input} }
func (n *Project) Inputs() []Node   { return []Node{n.Input} }
func (n *Window) Inputs() []Node    { return []Node{n.Input} }
func (n *Aggregate) Inputs() []Node { return []Node{n.Input} }

func (n *Scan) AppendOnly() bool     { return !n.Source.Updating }
func (n *ViewScan) AppendOnly() bool { return n.View.Root.AppendOnly() }

// AppendOnly: an inner join of append-only inputs only inserts, and so does
// an interval join (an outer one emits its NULL-padded rows once the bound
// has passed); a regular outer join retracts its padded rows when a match
// arrives.
//
// A semi join of append-only inputs only inserts too (a left row comes out
// at its first match, which never goes); an anti join retracts a left row
// when its first match arrives.
func (n *Join) AppendOnly() bool {
	if n.Asof != nil {
		return true // each left row comes out once, when its match is final
	}
	return n.Left.AppendOnly() && n.Right.AppendOnly() && (n.Kind == InnerJoin || n.Kind == SemiJoin || (n.Interval != nil && n.Kind != AntiJoin))
}
func (n *Union) AppendOnly() bool {
	for _, in := range n.Arms {
		if !in.AppendOnly() {
			return false
		}
	}
	return true
}
func (n *Filter) AppendOnly() bool  { return n.Input.AppendOnly() }
func (n *Project) AppendOnly() bool { return n.Input.AppendOnly() }
func (n *Window) AppendOnly() bool  { return n.Input.AppendOnly() }

// AppendOnly: a windowed aggregate emitting on window close never revises a
// row; everything else aggregating revises its rows.
func (n *Aggregate) AppendOnly() bool {
	return n.WindowKey >= 0 && n.Emit == EmitOnClose && n.Input.AppendOnly()
}

func (n *Scan) Describe() string {
	if n.Needed == nil {
		return "Scan " + n.Source.Name
	}
	var cols []string
	for i, c := range n.Source.Schema {
		if n.Needed[i] {
			cols = append(cols, c.Name)
		}
	}
	return fmt.Sprintf("Scan %s [%s]", n.Source.Name, strings.Join(cols, ", "))
}
func (n *ViewScan) Describe() string { return "ViewScan " + n.View.Name }
func (n *Join) Describe() string {
	ls, rs := n.Left.Schema(), n.Right.Schema()
	var on []string
	side := func(name string, e Expr) string {
		if _, ok := e.(*ColRef); ok {
			return name + "." + e.String()
		}
		return name + "(" + e.String() + ")"
	}
	for i := range n.LeftKeys {
		on = append(on, side("left", n.LeftKeys[i])+" = "+side("right", n.RightKeys[i]))
	}
	for _, c := range n.Implied {
		on = append(on, c+" (implied)")
	}
	out := fmt.Sprintf("Join %s ON %s", n.Kind, strings.Join(on, " AND "))
	if n.Asof != nil {
		out = fmt.Sprintf("AsofJoin %s %s", n.Kind, n.Asof.describe(ls, rs))
		if n.Asof.Temporal {
			out = fmt.Sprintf("TemporalJoin %s FOR SYSTEM_TIME AS OF left.%s (versions by right.%s)", n.Kind, ls[n.Asof.LeftTime].Name, rs[n.Asof.RightTime].Name)
		}
		if len(on) > 0 {
			out += " ON " + strings.Join(on, " AND ")
		}
		if n.Residual != nil {
			out += " AND " + n.Residual.String()
		}
		return out
	}
	if iv := n.Interval; iv != nil && iv.Columns() {
		out += fmt.Sprintf(" AND right.%s BETWEEN left.%s %s AND left.%s %s", rs[iv.RightTime].Name,
			ls[iv.LeftTime].Name, signed(iv.Lower), ls[iv.LeftTime].Name, signed(iv.Upper))
	} else if iv != nil {
		out += fmt.Sprintf(" AND right.%s >= left.%s %s AND right.%s <= left.%s %s", rs[iv.RightStart].Name,
			ls[iv.LeftTime].Name, signed(iv.Lower), rs[iv.RightTime].Name, ls[iv.LeftEnd].Name, signed(iv.Upper))
	}
	if n.Residual != nil {
		out += " AND " + n.Residual.String()
	}
	return out
}

// signed renders an offset of µs as "+ 5 SECOND" or "- 5 SECOND".
func signed(us int64) string {
	if us < 0 {
		return "- " + FormatMicros(-us)
	}
	return "+ " + FormatMicros(us)
}
func (n *Union) Describe() string  { return fmt.Sprintf("Union ALL of %d inputs", len(n.Arms)) }
func (n *Filter) Describe() string { return "Filter " + n.Pred.String() }
func (n *Project) Describe() string {
	parts := make([]string, len(n.Exprs))
	for i, e := range n.Exprs {
		if c, ok := e.(*ColRef); ok && c.Name == n.Names[i] {
			parts[i] = n.Names[i]
		} else {
			parts[i] = e.String() + " AS " + n.Names[i]
		}
	}
	return "Project " + strings.Join(parts, ", ")
}
func (n *Window) Describe() string {
	col := n.Input.Schema()[n.TimeCol].Name
	if n.Proc {
		col += " processing time"
	}
	switch n.Kind {
	case Tumble:
		return fmt.Sprintf("Window TUMBLE(%s, size %s%s)", col, FormatMicros(n.Size), offsetText(n.Offset))
	case Session:
		return fmt.Sprintf("Window SESSION(%s, gap %s)", col, FormatMicros(n.Size))
	case Cumulate:
		return fmt.Sprintf("Window CUMULATE(%s, step %s, size %s%s)", col, FormatMicros(n.Slide), FormatMicros(n.Size), offsetText(n.Offset))
	}
	return fmt.Sprintf("Window HOP(%s, slide %s, size %s%s)", col, FormatMicros(n.Slide), FormatMicros(n.Size), offsetText(n.Offset))
}
func (n *Aggregate) Describe() string {
	keys := make([]string, len(n.Keys))
	for i, k := range n.Keys {
		keys[i] = k.String()
	}
	aggs := make([]string, len(n.Aggs))
	for i, a := range n.Aggs {
		aggs[i] = a.String()
	}
	lateness := ""
	if n.Emit == EmitPeriodically {
		lateness = " " + FormatMicros(n.Period)
	}
	if n.Lateness > 0 {
		lateness += " allowed lateness " + FormatMicros(n.Lateness)
	}
	if n.Split != "" {
		lateness += " (" + n.Split + ")"
	}
	return fmt.Sprintf("Aggregate keys [%s] aggs [%s] emit %s%s", strings.Join(keys, ", "), strings.Join(aggs, ", "), n.Emit, lateness)
}

func offsetText(off int64) string {
	if off == 0 {
		return ""
	}
	return ", offset " + FormatMicros(off)
}

// FormatMicros renders a duration in µs the way SQL writes it, e.g. 1 MINUTE.
func FormatMicros(us int64) string {
	units := []struct {
		n    int64
		name string
	}{{86400e6, "DAY"}, {3600e6, "HOUR"}, {60e6, "MINUTE"}, {1e6, "SECOND"}, {1e3, "MILLISECOND"}, {1, "MICROSECOND"}}
	for _, u := range units {
		if us != 0 && us%u.n == 0 {
			return fmt.Sprintf("%d %s", us/u.n, u.name)
		}
	}
	return "0 SECOND"
}

// View is a CREATE MATERIALIZED VIEW, or the query of an INSERT INTO (then
// Anonymous is true and Name is the sink's name).
type View struct {
	Name      string
	Pos       ast.Pos
	Root      Node
	SQL       string // the statement's text, for comments and explain
	Anonymous bool
}

// Sink is a CREATE SINK with the view that feeds it.
type Sink struct {
	Name      string
	Pos       ast.Pos
	View      *View
	Connector string
	Format    string
	Options   map[string]string
}

// Pipeline is the whole bound program.
type Pipeline struct {
	Name    string
	Sources []*Source
	Views   []*View
	Sinks   []*Sink
	UDFs    []*UDF // Go functions declared by CREATE FUNCTION (udf.go)
}

// Sources returns the sources a plan reads, directly or through the views
// it reads, each once, in the order first met.
func Sources(n Node) []*Source {
	var out []*Source
	seen := map[*Source]bool{}
	var walk func(n Node)
	walk = func(n Node) {
		switch n := n.(type) {
		case *Scan:
			if !seen[n.Source] {
				seen[n.Source] = true
				out = append(out, n.Source)
			}
		case *ViewScan:
			walk(n.View.Root)
		}
		for _, in := range n.Inputs() {
			walk(in)
		}
	}
	walk(n)
	return out
}

// TimeCol is a column of a node's output that carries event time. Every edge
// of the dataflow graph has one watermark W (a source's: its max event time
// minus the declared delay; a windowed aggregate's: the watermark its windows
// closed at); the watermark of column Col is W + Shift. A window_end column
// has Shift 0, a window_start column -size: once windows up to W are
// closed, every later row starts after W - size.
type TimeCol struct {
	Col   int
	Shift int64
}

// EventTimes returns the event-time columns of n's output: a source's
// watermark column, passed through filters, window assigners, projections
// that keep it as a plain column and unions (when every input has it at the
// same place), and the window bounds a windowed aggregate emitting on close
// groups by.
func EventTimes(n Node) []TimeCol {
	switch n := n.(type) {
	case *Scan:
		if n.Source.TimeCol < 0 {
			return nil
		}
		return []TimeCol{{n.Source.TimeCol, 0}}
	case *ViewScan:
		return EventTimes(n.View.Root)
	case *Filter:
		return EventTimes(n.Input)
	case *TopN:
		if n.Final {
			return EventTimes(n.Input) // each window's rows, once, at its close
		}
		if n.TimeOrdered {
			return []TimeCol{{n.Order[0].Col, 0}} // emitted once the watermark passes it
		}
		if n.Closes() {
			// emitted once the watermark passes the window's end
			var out []TimeCol
			for _, c := range n.Partition {
				if w, end, ok := WindowBound(n.Input, &ColRef{Index: c}); ok && w.Size == n.WindowSize {
					shift := -w.Size
					if end {
						shift = 0
					}
					out = append(out, TimeCol{c, shift})
				}
			}
			return out
		}
		return nil
	case *Window:
		return EventTimes(n.Input)
	case *Project:
		var out []TimeCol
		for _, t := range EventTimes(n.Input) {
			for i, e := range n.Exprs {
				if c, ok := e.(*ColRef); ok && c.Index == t.Col {
					out = append(out, TimeCol{i, t.Shift})
				}
			}
		}
		return out
	case *Union:
		var out []TimeCol
		for _, t := range EventTimes(n.Arms[0]) {
			all := true
			for _, in := range n.Arms[1:] {
				all = all && slices.Contains(EventTimes(in), t)
			}
			if all {
				out = append(out, t)
			}
		}
		return out
	case *LookupJoin:
		return EventTimes(n.Input) // the input's columns come first, unchanged
	case *Join:
		if n.Asof != nil {
			return asofEventTimes(n)
		}
		// an interval join pairs a row only with rows close to it in time,
		// and drops rows once they can match nothing more: a later output row
		// has a left time of at least min(left W, right W - Upper), a right time of
		// at least min(right W, left W + Lower), given W = min(left W, right W)
		if n.Interval == nil || !n.AppendOnly() {
			return nil
		}
		var out []TimeCol
		iv, nl := n.Interval, len(n.Left.Schema())
		// an end bounding another column keeps rows by that column: their
		// time column has no bound
		for _, t := range EventTimes(n.Left) {
			if t.Col == iv.LeftTime && iv.LeftEnd == iv.LeftTime {
				out = append(out, TimeCol{t.Col, t.Shift - max(iv.Upper, 0)})
			}
		}
		for _, t := range EventTimes(n.Right) {
			if t.Col == iv.RightTime && iv.RightStart == iv.RightTime {
				out = append(out, TimeCol{nl + t.Col, t.Shift + min(iv.Lower, 0)})
			}
		}
		return out
	case *Aggregate:
		if n.WindowKey < 0 || n.Emit != EmitOnClose || !n.Input.AppendOnly() {
			return nil
		}
		var out []TimeCol
		for i := range n.Keys {
			if w, end, ok := WindowBound(n.Input, n.Keys[i]); ok {
				if w.Proc {
					continue // closed by the wall clock: no watermark says when
				}
				if w.Kind == Session && !end {
					continue // a session closing later may have started long before
				}
				// windows close Lateness after the watermark passes their end
				shift := -w.Size - n.Lateness
				if end {
					shift = -n.Lateness
				}
				out = append(out, TimeCol{i, shift})
			}
		}
		return out
	}
	return nil
}

// EventTimeCol returns the event-time column col of n, if it is one.
func EventTimeCol(n Node, col int) (TimeCol, bool) {
	for _, t := range EventTimes(n) {
		if t.Col == col {
			return t, true
		}
	}
	return TimeCol{}, false
}

// WindowBound tells whether e, an expression over n's output, is the
// window_start or window_end column of a window assigner under n with only
// filters and plain-column projections between.
func WindowBound(n Node, e Expr) (w *Window, end, ok bool) {
	c, isRef := e.(*ColRef)
	if !isRef {
		return nil, false, false
	}
	return windowBound(n, c.Index, false)
}

// WindowBoundCol is WindowBound for column col of n's output, seeing also
// through views and aggregates: a group key that is a window bound is one in the
// aggregate's output (Nexmark q5's MAX over a COUNT per window groups by the
// inner aggregate's window_start and window_end).
func WindowBoundCol(n Node, col int) (w *Window, end, ok bool) {
	return windowBound(n, col, true)
}

// windowBound follows column col of n down to a window assigner's bound:
// through filters and plain-column projections, and with deep through views
// and the group keys of aggregates too.
func windowBound(n Node, col int, deep bool) (w *Window, end, ok bool) {
	for {
		switch x := n.(type) {
		case *ViewScan:
			if !deep {
				return nil, false, false
			}
			n = x.View.Root
		case *Filter:
			n = x.Input
		case *Project:
			ref, isRef := x.Exprs[col].(*ColRef)
			if !isRef {
				return nil, false, false
			}
			col, n = ref.Index, x.Input
		case *Aggregate:
			if !deep || col >= len(x.Keys) {
				return nil, false, false
			}
			ref, isRef := x.Keys[col].(*ColRef)
			if !isRef {
				return nil, false, false
			}
			col, n = ref.Index, x.Input
		case *Window:
			base := len(x.Input.Schema())
			if col == base || col == base+1 {
				return x, col == base+1, true
			}
			n = x.Input
		default:
			return nil, false, false
		}
	}
}

// ImpliedEnds reports, per key of a join, whether its equality follows from
// the others: both sides' window_end of hopping or tumbling windows of one
// size, whose window_start (of the same windows) the join equates too. A
// window's end is its start plus its size, so equal starts mean equal ends;
// keying by both makes every kept row's key, its hash and its compares a
// word longer (Nexmark q8's 24-byte key of id, start and end, 16 without
// the end).
func ImpliedEnds(j *Join) []bool {
	type bound struct {
		w   *Window
		end bool
	}
	colBound := func(n Node, e Expr) (bound, bool) {
		c, isRef := e.(*ColRef)
		if !isRef {
			return bound{}, false
		}
		w, end, ok := WindowBoundCol(n, c.Index)
		if !ok || w.Proc || (w.Kind != Tumble && w.Kind != Hop) {
			return bound{}, false
		}
		return bound{w, end}, true
	}
	n := len(j.LeftKeys)
	ls, rs := make([]bound, n), make([]bound, n)
	okL, okR := make([]bool, n), make([]bool, n)
	for i := range n {
		ls[i], okL[i] = colBound(j.Left, j.LeftKeys[i])
		rs[i], okR[i] = colBound(j.Right, j.RightKeys[i])
	}
	out := make([]bool, n)
	for i := range n {
		if !okL[i] || !okR[i] || !ls[i].end || !rs[i].end || ls[i].w.Size != rs[i].w.Size {
			continue
		}
		for k := range n {
			if okL[k] && okR[k] && !ls[k].end && !rs[k].end && ls[k].w == ls[i].w && rs[k].w == rs[i].w {
				out[i] = true
				break
			}
		}
	}
	return out
}

// Format renders a plan tree, one operator a line, with the stream property.
func Format(n Node) string {
	var b strings.Builder
	var walk func(n Node, depth int)
	walk = func(n Node, depth int) {
		prop := "append-only"
		if !n.AppendOnly() {
			prop = "updating"
		}
		fmt.Fprintf(&b, "%s%s  (%s)\n", strings.Repeat("  ", depth), n.Describe(), prop)
		for _, in := range n.Inputs() {
			walk(in, depth+1)
		}
	}
	walk(n, 0)
	return b.String()
}
