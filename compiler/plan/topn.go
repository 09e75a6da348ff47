package plan

import (
	"fmt"
	"strings"

	"github.com/laminar-sql/laminar/compiler/types"
)

// RankFunc is the ranking function of a top-N.
type RankFunc string

const (
	RowNumber RankFunc = "ROW_NUMBER"
	Rank      RankFunc = "RANK"
	DenseRank RankFunc = "DENSE_RANK"
)

// SortKey is one ORDER BY key: a column of the input, ascending unless Desc.
// NULLs sort last ascending and first descending (as in DuckDB and PostgreSQL).
type SortKey struct {
	Col  int
	Desc bool
}

// TopN ranks the rows of each partition (rows equal in the Partition
// columns) by Order and keeps those ranked within Limit: ROW_NUMBER(),
// RANK() or DENSE_RANK() OVER (PARTITION BY … ORDER BY …) filtered by
// rank <= N, deduplication (rank = 1), and ORDER BY … LIMIT n (one
// partition, no rank column). Its output is the input's columns, then the
// rank (BIGINT NOT NULL) unless NoRank. Ties of ROW_NUMBER keep arrival
// order over an append-only input; over an updating one (ROW_NUMBER and ROWS
// frames) they are ordered by the rows' columns (ascending, NULLs last), whatever the order of the
// input's changes. The output is updating: a row whose rank changes is retracted and
// inserted again.
type TopN struct {
	Input     Node
	Partition []int
	Order     []SortKey
	Func      RankFunc
	Limit     int64 // 0: no limit, every row is output with its rank
	RankName  string
	NoRank    bool
	// Final tells that each partition holds the rows of one closed window of
	// an input emitting on window close: they all arrive at once, so the
	// partition's ranking is final when first emitted (append-only output),
	// and its state goes then.
	Final bool
	// WindowCol >= 0 is the partition column that is the window_start (or,
	// with WindowEnd, window_end) of a window assigner under the input, of
	// windows WindowSize long: a window top-N, whose partitions are emitted
	// once, when the watermark passes their window's end (append-only).
	WindowCol  int
	WindowEnd  bool
	WindowSize int64
	// Aggs, when set, are aggregates OVER the partition's rows in the
	// Frame of each row (OVER aggregations): the output is the input's
	// columns (NoRank), then one column per aggregate, for every row.
	Aggs     []Agg
	AggNames []string
	Frame    Frame
	// TimeOrdered: an OVER aggregation over an append-only input ordered by
	// one event-time column (ascending): each row is emitted once, when the
	// watermark passes its time (append-only), and only the rows later
	// frames can reach are kept.
	TimeOrdered bool
}

// Frame is the window frame of an OVER aggregation, ending at the current
// row: ROWS (Preceding rows before it) or RANGE (rows whose ORDER BY key is
// at most Preceding less, µs for TIMESTAMP; peers included), or from the
// partition's first row when Unbounded.
type Frame struct {
	Rows      bool
	Unbounded bool
	Preceding int64
}

func (f Frame) String() string {
	kind := "RANGE"
	if f.Rows {
		kind = "ROWS"
	}
	switch {
	case f.Unbounded:
		return kind + " UNBOUNDED PRECEDING"
	case f.Preceding == 0:
		return kind + " CURRENT ROW"
	case f.Rows:
		return fmt.Sprintf("ROWS %d PRECEDING", f.Preceding)
	}
	return fmt.Sprintf("RANGE %d PRECEDING", f.Preceding)
}

// Closes tells whether the top-N emits each window's partition at its close.
func (n *TopN) Closes() bool { return n.WindowCol >= 0 }

func (n *TopN) Schema() Schema {
	s := append(Schema{}, n.Input.Schema()...)
	if !n.NoRank {
		s = append(s, Column{n.RankName, types.Of(types.Int)})
	}
	for i, a := range n.Aggs {
		s = append(s, Column{n.AggNames[i], a.T})
	}
	return s
}

func (n *TopN) Inputs() []Node { return []Node{n.Input} }

// AppendOnly: only a window's final ranking never changes.
func (n *TopN) AppendOnly() bool {
	return (n.Final || n.Closes() || n.TimeOrdered) && n.Input.AppendOnly()
}

func (n *TopN) Describe() string {
	in := n.Input.Schema()
	var part, order []string
	for _, c := range n.Partition {
		part = append(part, in[c].Name)
	}
	for _, k := range n.Order {
		s := in[k.Col].Name
		if k.Desc {
			s += " DESC"
		}
		order = append(order, s)
	}
	limit := "no limit"
	if n.Limit > 0 {
		limit = fmt.Sprintf("rank <= %d", n.Limit)
	}
	s := fmt.Sprintf("TopN %s() partition [%s] order [%s] %s", n.Func, strings.Join(part, ", "), strings.Join(order, ", "), limit)
	if len(n.Aggs) > 0 {
		var aggs []string
		for _, a := range n.Aggs {
			aggs = append(aggs, a.String())
		}
		s = fmt.Sprintf("Over [%s] partition [%s] order [%s] %s", strings.Join(aggs, ", "), strings.Join(part, ", "), strings.Join(order, ", "), n.Frame)
		if n.TimeOrdered {
			s += ", each row emitted when the watermark passes it"
		}
	}
	if n.Final {
		s += " per closed window"
	}
	if n.Closes() {
		s += " emitted at window close"
	}
	return s
}

// Bounded tells whether the state of a top-N keeps only the rows ranked
// within its limit: over an append-only input, a row ranked past it never
// comes back.
func (n *TopN) Bounded() bool { return n.Limit > 0 && n.Input.AppendOnly() }

// ClosedWindowCol tells whether column col of n is a window bound of a
// windowed aggregate emitting on close (passed through filters, plain
// projections and views): the rows of one window all arrive when it closes.
func ClosedWindowCol(n Node, col int) bool {
	for {
		switch x := n.(type) {
		case *Filter:
			n = x.Input
		case *ViewScan:
			n = x.View.Root
		case *Project:
			ref, ok := x.Exprs[col].(*ColRef)
			if !ok {
				return false
			}
			col, n = ref.Index, x.Input
		case *Aggregate:
			if x.WindowKey < 0 || x.Emit != EmitOnClose || !x.Input.AppendOnly() || col >= len(x.Keys) {
				return false
			}
			_, _, ok := WindowBound(x.Input, x.Keys[col])
			return ok
		default:
			return false
		}
	}
}
