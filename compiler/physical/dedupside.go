package physical

import (
	"github.com/laminar-sql/laminar/compiler/plan"
)

// DedupSide is a side of a join whose rows the deduplication reading the
// join ranks by their own columns (see dedupSides): the deduplication's
// partition columns and order keys, as columns of the side's rows.
type DedupSide struct {
	Partition []int // per TopN.Partition column
	Order     []int // per TopN.Order key
	// Link is set when the other side is unique on the join key and the
	// partition is that key (see linkSides): per partition column, the
	// index of the join key it is.
	Link []int
}

// linkSides decides, for every join with a Dedup side whose other side is
// unique on the join key (Operator.Unique), whether the deduplication's
// partition is that key, each column a different key column of the side
// of the key's type: then the partition of a key and the unique side's row
// of it are one state. The deduplication's partition holds the id of the
// unique side's row (topn.Dedup.Link), made when the row is kept, so that
// a row of the Dedup side finds the row kept and the row to join with in
// one lookup, and a key without a partition has no unique row held
// either. When the join drops that row (or does not keep it), no more
// joined rows of the key can come: the partition is final, and goes
// (Unlink). That bounds the deduplication's state to the join's.
func linkSides(p *Plan) {
	for _, op := range p.Operators {
		j := op.Join
		if j == nil {
			continue
		}
		for s, d := range op.Dedup {
			if d == nil || !op.Unique[1-s] || op.Unique[s] || op.Dedup[1-s] != nil {
				continue
			}
			mine, theirs := j.LeftKeys, j.RightKeys
			if s == 1 {
				mine, theirs = j.RightKeys, j.LeftKeys
			}
			if len(d.Partition) != len(mine) {
				continue
			}
			link := make([]int, len(d.Partition))
			seen := make([]bool, len(mine))
			ok := true
			for pi, c := range d.Partition {
				link[pi] = -1
				for i, k := range mine {
					mc, ok1 := k.(*plan.ColRef)
					tc, ok2 := theirs[i].(*plan.ColRef)
					if ok1 && ok2 && mc.Index == c && mc.T == tc.T && !seen[i] {
						link[pi], seen[i] = i, true
						break
					}
				}
				ok = ok && link[pi] >= 0
			}
			if ok {
				d.Link = link
			}
		}
	}
}

// dedupSides decides, for every join, the sides whose rows the one
// deduplication reading it ranks by their own columns (Operator.Dedup).
// A row r of such a side
//   - is not joined at all when the row the deduplication keeps for r's
//     partition ranks before r (or equal to it: it came first), and
//   - is not kept when it joined with some row of the other side on
//     arrival, so no later row of the other side meets it.
//
// The output is the same, because every joined row left out would be
// dropped by the deduplication on arrival, changing nothing. The
// deduplication keeps the first row of each partition by an order
// (ROW_NUMBER() … <= 1) over the join's append-only output, and:
//   - its order compares columns of the side only, and its partition is a
//     function of the side's row (its columns, or the other side's join keys,
//     equal to its own), so every joined row made with r ranks equal to r
//     and falls into r's partition, whatever the row of the other side;
//   - between the join and it there are only projections of columns and
//     constants (no filter, nothing that can fail), so every joined row
//     reaches it, in the order the join emits them;
//   - over an append-only input it keeps, per partition, the row ranked
//     first, ties in arrival order, and replaces it only by a row ranked
//     strictly before it: so once it keeps a row w, each row it gets that
//     does not rank before w is dropped at once, now and later.
//
// So when the row w kept for r's partition ranks before r or equal to it,
// every joined row of r — now or with a row of the other side still to
// come — is dropped on arrival: r need not be joined, nor kept. And once r
// joined with a row a, (a, r) was offered: the row kept from then on is
// (a, r) or one ranked before it, which any later (a', r) ranks equal to
// and arrives after, so r need not be kept. Which rows of the other side r
// could still meet (their time bounds, in an interval join) does not
// matter: any joined row r makes is dropped. No row of the other side is
// left out, so rows arriving first on that side still meet every row that
// could rank first.
//
// The join's output is read by the deduplication only (no sink, no other
// reader, not a view an embedding program reads), in the same engine: a
// key's rows reach the join and the deduplication on one worker.
func dedupSides(p *Plan, allViews bool) {
	for _, op := range p.Operators {
		if op.Join == nil {
			continue
		}
		for s := range op.Dedup {
			op.Dedup[s] = dedupSide(op, s, allViews)
		}
	}
}

// dedupSide returns side s of join operator op as its deduplication ranks
// it, or nil (see dedupSides).
func dedupSide(op *Operator, s int, allViews bool) *DedupSide {
	j := op.Join
	if j.Kind != plan.InnerJoin || j.Asof != nil || j.TTL > 0 || op.SideUpdating[0] || op.SideUpdating[1] {
		return nil
	}
	if len(op.Consumers) != 1 || len(op.Sinks) > 0 || (op.View != nil && allViews) {
		return nil
	}
	top := op.Consumers[0]
	t := top.TopN
	if t == nil || len(top.Inputs) != 1 || top.Inputs[0] != op || len(top.Pre) > 0 || top.InputUpdating {
		return nil
	}
	if t.Func != plan.RowNumber || t.Limit != 1 || !t.Bounded() || t.Final || t.Closes() || t.TimeOrdered || len(t.Aggs) > 0 {
		return nil
	}
	// the join's output columns as columns of the joined row (-1: a constant)
	cols := make([]int, len(j.Schema()))
	for i := range cols {
		cols[i] = i
	}
	for _, st := range op.Post {
		if st.Kind != StageProject {
			return nil // a filter could drop the first joined row and pass a later one
		}
		next := make([]int, len(st.Exprs))
		for i, e := range st.Exprs {
			switch x := e.(type) {
			case *plan.ColRef:
				next[i] = cols[x.Index]
			case *plan.Const:
				next[i] = -1
			default:
				return nil // an expression can fail on one joined row and not on another
			}
		}
		cols = next
	}
	// own is the side's column that joined column c is, or -1
	nl := len(j.Left.Schema())
	own := func(c int) int {
		switch {
		case c < 0:
			return -1
		case s == 0 && c < nl:
			return c
		case s == 1 && c >= nl:
			return c - nl
		}
		return -1
	}
	// key is the side's key column equal to joined column c, a join key of
	// the other side of the same type, or -1
	key := func(c int) int {
		mine, theirs, off := j.LeftKeys, j.RightKeys, nl
		if s == 1 {
			mine, theirs, off = j.RightKeys, j.LeftKeys, 0
		}
		for i, k := range theirs {
			kc, ok := k.(*plan.ColRef)
			mc, ok2 := mine[i].(*plan.ColRef)
			if ok && ok2 && c >= 0 && kc.Index+off == c && kc.T == mc.T {
				return mc.Index
			}
		}
		return -1
	}
	d := &DedupSide{}
	for _, k := range t.Order {
		c := own(cols[k.Col])
		if c < 0 {
			return nil
		}
		d.Order = append(d.Order, c)
	}
	for _, pc := range t.Partition {
		c := own(cols[pc])
		if c < 0 {
			c = key(cols[pc])
		}
		if c < 0 {
			return nil
		}
		d.Partition = append(d.Partition, c)
	}
	return d
}
