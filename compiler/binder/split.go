package binder

import (
	"strconv"
	"strings"

	"github.com/laminar-sql/laminar/compiler/ast"
	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/compiler/plan"
)

// Split distinct (docs/dialect.md, "Split distinct"): the COUNT(DISTINCT)
// aggregates of a GROUP BY are computed in two levels, a partial aggregate
// per (group, bucket of the counted value) and a final one adding up the
// partial counts (the optimizer's SplitDistinct rule). It is off unless
// asked for, for the whole pipeline by SET 'distinct_split' = '16' (or
// Flink's keys, below) or per view by CREATE VIEW v WITH (distinct_split =
// '16') AS …; '0' turns it off.

const (
	splitEnabledKey = "table.optimizer.distinct-agg.split.enabled"
	splitBucketsKey = "table.optimizer.distinct-agg.split.bucket-num"
	// DefaultSplitBuckets is the number of buckets when Flink's enabled key
	// is given without its bucket-num.
	DefaultSplitBuckets = 16
	maxSplitBuckets     = 1 << 16
)

// splitSetting is the number of buckets of the pipeline's or a view's split
// distinct aggregates (0: not split).
type splitSetting struct {
	buckets int
	pos     ast.Pos
	set     bool
	// the Flink keys, each given at most once
	enabled, numbered bool
	num               int
}

// splitSetting reads one SET of the split-distinct keys.
func (b *binder) splitSetting(key string, o ast.Option) {
	s := &b.split
	dup := func(given bool) bool {
		if given {
			b.diags.Errorf(diag.BadOption, o.Pos, "SET %s is given twice (first at line %d)", key, s.pos.Line)
		}
		return given
	}
	switch key {
	case "distinct_split":
		if dup(s.set && !s.enabled && !s.numbered) {
			return
		}
		if s.enabled || s.numbered {
			b.diags.Errorf(diag.BadOption, o.Pos, "SET distinct_split and Flink's %s keys are the same setting: give one", "table.optimizer.distinct-agg.split.*")
			return
		}
		n, ok := b.parseBuckets(o)
		if !ok {
			return
		}
		*s = splitSetting{buckets: n, pos: o.Pos, set: true}
	case splitEnabledKey:
		if dup(s.enabled) {
			return
		}
		if s.set && !s.numbered {
			b.diags.Errorf(diag.BadOption, o.Pos, "SET distinct_split and Flink's %s keys are the same setting: give one", "table.optimizer.distinct-agg.split.*")
			return
		}
		var on bool
		switch strings.ToLower(strings.TrimSpace(o.Value)) {
		case "true":
			on = true
		case "false":
		default:
			d := b.diags.Errorf(diag.BadOption, o.Pos, "%s is 'true' or 'false', not %q", key, o.Value)
			d.Hint = "SET 'distinct_split' = '16' gives the number of buckets directly"
			return
		}
		s.enabled, s.set, s.pos, s.buckets = true, true, o.Pos, 0
		if on {
			s.buckets = DefaultSplitBuckets
			if s.numbered {
				s.buckets = s.num
			}
		}
	case splitBucketsKey:
		if dup(s.numbered) {
			return
		}
		if s.set && !s.enabled {
			b.diags.Errorf(diag.BadOption, o.Pos, "SET distinct_split and Flink's %s keys are the same setting: give one", "table.optimizer.distinct-agg.split.*")
			return
		}
		n, ok := b.parseBuckets(o)
		if !ok {
			return
		}
		s.numbered, s.num = true, n
		if s.enabled && s.buckets > 0 {
			s.buckets = n
		}
		if !s.set {
			s.pos = o.Pos
		}
	}
}

// parseBuckets reads a number of buckets: 0 (off), or 2 to 65536.
func (b *binder) parseBuckets(o ast.Option) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(o.Value))
	if err != nil || n < 0 || n == 1 || n > maxSplitBuckets {
		d := b.diags.Errorf(diag.BadOption, o.Pos, "%s %q is not a number of buckets from 2 to %d (or 0, not split)", o.Key, o.Value, maxSplitBuckets)
		d.Hint = "e.g. '16': each group's distinct values are counted in 16 partial groups, by a hash of the value"
		return 0, false
	}
	return n, true
}

// viewSplit is the distinct_split of a view's WITH clause, or the
// pipeline's; explicit tells that the view names it.
func (b *binder) viewSplit(with []ast.Option) (s splitSetting, explicit, ok bool) {
	s = b.split
	for _, o := range with {
		if o.Key != "distinct_split" {
			continue // viewTTL reports the others
		}
		if explicit {
			b.diags.Errorf(diag.BadOption, o.Pos, "option %q given twice", o.Key)
			return s, false, false
		}
		explicit = true
		n, good := b.parseBuckets(o)
		if !good {
			return s, false, false
		}
		s = splitSetting{buckets: n, pos: o.Pos, set: true}
	}
	return s, explicit, true
}

// applySplit marks the aggregates of a view (its own, not those of the
// views it reads) that have a COUNT(DISTINCT) to be split in s.buckets; the
// SplitDistinct rule does it, or says in the plan why it cannot. A view
// that names distinct_split itself must have such an aggregate.
func (b *binder) applySplit(v *plan.View, s splitSetting, explicit bool) {
	if !s.set {
		return
	}
	found := false
	var walk func(n plan.Node)
	walk = func(n plan.Node) {
		if a, ok := n.(*plan.Aggregate); ok {
			for _, g := range a.Aggs {
				if g.Distinct {
					a.SplitDistinct = s.buckets
					found = true
					break
				}
			}
		}
		for _, in := range n.Inputs() {
			walk(in)
		}
	}
	walk(v.Root)
	if explicit && !found && s.buckets > 0 {
		d := b.diags.Errorf(diag.Unsupported, s.pos, "distinct_split splits COUNT(DISTINCT) aggregates, and view %s has none", v.Name)
		d.Hint = "remove the option, or count DISTINCT values in this view"
	}
}
