// Package join holds the state of join operators: per side, the rows seen so
// far by join key, with their weights, their counts of matches (for the
// NULL-padded rows of outer joins) and their event time (for interval joins,
// whose rows are dropped once the other side's watermark has passed their
// last possible match). Generated code supplies the key and row types, so
// probing is a map lookup and a loop over plain structs.
package join

import (
	"math"
	"reflect"
	"slices"

	"github.com/laminar-sql/laminar/runtime/strarena"
)

// Entry is a row kept by one side of a join.
type Entry[R any] struct {
	Row R
	// W is the row's weight: its copies, net of retractions.
	W int64
	// Matches counts the rows of the other side it matches, by weight: an
	// outer join's row is NULL-padded while it is 0.
	Matches int64
	// TS is the event time by which an interval join drops the row.
	TS int64
	// next links the entries of one key, newest first (an entry's id: its
	// slot + 1; 0 ends the list), and the free slots.
	next uint32
}

// chunkShift sets the entries per chunk of a side's slab: 16. Larger
// chunks cost the window join of Nexmark q8 60% more instructions, nearly
// all in the GC's marking (256: q8 1,249M, q20 2,221M; 64: 815M, 2,338M;
// 16: 766M, 2,471M, against 776M and 3,114M with a slice per key; callgrind,
// 1M events), so 16 keeps every join query's gain without that loss.
const (
	chunkShift = 4
	chunkSize  = 1 << chunkShift
	chunkMask  = chunkSize - 1
)

// Side is the state of one input of a join.
//
// Entries live in a slab of fixed-size chunks, never moved once placed, and
// each key's entries form a list through it, newest first; the map holds
// only the key's slot in heads, which holds the id of its newest entry: a
// row of a key already kept costs one map lookup (no assignment), its
// head changing in place. So keeping a row copies it once
// (no bucket slice growing by copies, with write barriers when it has
// pointers) and touches no older entry (a cache miss each, on a side of
// millions of rows), a key costs no allocation of its own, and with a key
// without pointers the map has none for the GC to scan. A key of plain
// integers of several columns (BIGINT, TIMESTAMP) is found through a
// keyIndex (index.go) instead of the map, with the keys kept by slot in
// keys; a key of one such column moves to one once it has many (grows).
type Side[K comparable, R comparable] struct {
	index map[K]uint32 // key -> its slot in heads; nil with tab
	tab   *keyIndex[K]
	keys  []K // with tab: the key of each slot in heads (zero when free)
	// grows: made by NewGrowingSide, on the map until the side holds
	// growKeys keys, then through a keyIndex (toTab)
	grows bool
	// heads holds, per key slot, the id of the key's newest entry; a free
	// slot holds the next free one (freeKey ends the list)
	heads   []uint32
	freeKey uint32
	chunks  []*[chunkSize]Entry[R]
	used    uint32 // slots of the slab handed out so far
	spare   uint32 // a free list of slots (entry ids) given back
	rows    int
	times   timeQueue[K] // interval joins: when each key's rows may go
	// stale counts the entries RemoveKey removed since the times were last
	// pruned: their times stay in the heap until then (see pruneTimes)
	stale int
	// untimed tells whether an entry was ever added without its time in
	// times (evictAll cannot then tell the rows that stay by their times)
	untimed bool
	scratch []uint32 // a key's entry ids, for walking them oldest first
	// peak is the most keys the map has held since it was made: a Go map
	// keeps its capacity (memory, and time to range over) when emptied, so
	// an interval join whose rows all went makes a new one (see shrink)
	peak int
	// strs are the offsets of the strings in an entry when they are its
	// only pointers: the slab is then unscanned memory and the strings'
	// bytes live in arena (arena.go); nil otherwise
	strs  []uintptr
	arena arena
	// keyOf is set on a keyless side (see Keyless): its rows are found by
	// their ids, and held holds each one's id by its time
	keyOf func(r *R) K
	held  timeHeap[uint32]
}

// Keyless makes the empty side s keep no map of its keys: a side unique on
// the join key whose rows a deduplication reading the join finds by their
// ids (AddUnique, Entry; topn.Dedup.Link keeps the id with the key's
// partition, whose map is then the key's one index). keyOf is a row's key.
// Only AddUnique, Entry, EvictKeyless, Each, Prune and Len apply to it.
// Its rows are append-only (weight 1): a slot holds a row while its weight
// is not 0.
func (s *Side[K, R]) Keyless(keyOf func(r *R) K) { s.keyOf = keyOf }

// EvictKeyless is Evict on a keyless side.
func (s *Side[K, R]) EvictKeyless(t int64, gone func(k K, e *Entry[R])) {
	if len(s.held) == 0 || s.held[0].ts >= t {
		return
	}
	s.evictKeyless(t, gone)
}

// evictKeyless is EvictKeyless when some row's TS is before t. Without
// gone, a watermark past every row (the input ended) drops the slab at
// once when no row stays.
func (s *Side[K, R]) evictKeyless(t int64, gone func(k K, e *Entry[R])) {
	if gone == nil && t == math.MaxInt64 && !slices.ContainsFunc(s.held, func(x timedKey[uint32]) bool { return x.ts >= t }) {
		s.held, s.rows = nil, 0
		s.dropSlab()
		return
	}
	for len(s.held) > 0 && s.held[0].ts < t {
		id := s.held.pop().key
		if gone != nil {
			e := s.at(id)
			gone(s.keyOf(&e.Row), e)
		}
		s.release(id)
	}
	if s.rows == 0 && len(s.chunks) > 4 {
		s.dropSlab()
	}
	if len(s.held) == 0 && cap(s.held) > shrinkKeys {
		s.held = nil
	}
}

// eachKeyless calls f with every row of a keyless side, in slab order.
func (s *Side[K, R]) eachKeyless(f func(k K, e *Entry[R])) {
	for id := uint32(1); id <= s.used; id++ {
		if e := s.at(id); e.W != 0 {
			f(s.keyOf(&e.Row), e)
		}
	}
}

// noKey ends the list of free key slots.
const noKey = math.MaxUint32

// NewSide returns an empty side, whose keys a map finds (FirstMap).
func NewSide[K comparable, R comparable]() *Side[K, R] {
	s := &Side[K, R]{index: make(map[K]uint32), freeKey: noKey}
	if strs, ok := strarena.Offsets(reflect.TypeFor[R]()); ok && len(strs) > 0 {
		s.strs = strs
	}
	return s
}

// NewKeyedSide returns an empty side whose keys a keyIndex finds (index.go):
// for a key of two or more plain integer words (plainKey; it panics on any
// other), which codegen gives a join on two or more BIGINT or TIMESTAMP
// columns.
func NewKeyedSide[K comparable, R comparable]() *Side[K, R] {
	if !plainKey[K]() {
		panic("join.NewKeyedSide: the key is not two or more words of integers")
	}
	s := NewSide[K, R]()
	s.index, s.tab = nil, newKeyIndex[K]()
	return s
}

// NewGrowingSide returns an empty side whose keys a map finds until it
// holds growKeys of them, then a keyIndex (Grown): for a key of one plain
// integer word (plainWord; it panics on any other), which codegen gives a
// join on one BIGINT or TIMESTAMP column, probing FirstMap, then First
// when that finds nothing on a grown side.
func NewGrowingSide[K comparable, R comparable]() *Side[K, R] {
	if !plainWord[K]() {
		panic("join.NewGrowingSide: the key is not one word of integers")
	}
	s := NewSide[K, R]()
	s.grows = true
	return s
}

// at is the entry of id n (not 0).
func (s *Side[K, R]) at(n uint32) *Entry[R] {
	n--
	return &s.chunks[n>>chunkShift][n&chunkMask]
}

// First returns the newest entry of key k, or nil. With Next it walks the
// key's entries, newest first; they may be changed in place (W, Matches)
// until the next Add, Remove or Evict on this side.
func (s *Side[K, R]) First(k K) *Entry[R] {
	if s.tab != nil {
		return s.firstTab(k)
	}
	return s.FirstMap(k)
}

// FirstMap is First on a side made by NewSide (a map's), small enough to
// inline into a join's probe (First, with the keyIndex's call, is not: q20
// took 1.5% more instructions). On a keyed or grown side (Grown) it finds
// nothing.
func (s *Side[K, R]) FirstMap(k K) *Entry[R] {
	slot, ok := s.index[k]
	if !ok {
		return nil
	}
	return s.at(s.heads[slot])
}

// Grown tells whether a side made by NewGrowingSide has moved its keys to a
// keyIndex (growKeys): a probe that FirstMap found nothing for asks First.
// (FirstMap asking itself would no longer inline.)
func (s *Side[K, R]) Grown() bool { return s.tab != nil }

// firstTab is First through the keyIndex.
func (s *Side[K, R]) firstTab(k K) *Entry[R] {
	slot, ok, _, _ := s.tab.find(k, s.keys)
	if !ok {
		return nil
	}
	return s.at(s.heads[slot])
}

// slotOf is key k's slot in heads, if it is kept.
func (s *Side[K, R]) slotOf(k K) (uint32, bool) {
	if s.tab != nil {
		return s.slotTab(k)
	}
	slot, ok := s.index[k]
	return slot, ok
}

// slotTab is slotOf through the keyIndex.
func (s *Side[K, R]) slotTab(k K) (uint32, bool) {
	slot, ok, _, _ := s.tab.find(k, s.keys)
	return slot, ok
}

// keyCount is the number of keys kept.
func (s *Side[K, R]) keyCount() int {
	if s.tab != nil {
		return s.tab.n
	}
	return len(s.index)
}

// eachKey calls f with every key kept and its slot; f may drop that key.
func (s *Side[K, R]) eachKey(f func(k K, slot uint32)) {
	if s.tab == nil {
		for k, slot := range s.index {
			f(k, slot) // deleting while ranging is allowed
		}
		return
	}
	for slot := range uint32(len(s.keys)) {
		// a free slot's key is zero, which is kept, if at all, at its own slot
		if i, ok := s.slotOf(s.keys[slot]); ok && i == slot {
			f(s.keys[slot], slot)
		}
	}
}

// addKey gives key k (not kept) a slot in heads, with no entry yet; h and
// j are keyIndex.find's for k.
func (s *Side[K, R]) addKey(k K, h, j uint64) uint32 {
	slot := s.freeKey
	if slot != noKey {
		s.freeKey = s.heads[slot]
		s.heads[slot] = 0
	} else {
		slot = uint32(len(s.heads))
		s.heads = append(s.heads, 0)
		if s.tab != nil {
			var zero K
			s.keys = append(s.keys, zero)
		}
	}
	if s.tab != nil {
		s.keys[slot] = k
		s.tab.insert(h, j, slot)
	} else {
		s.index[k] = slot
		if s.grows && len(s.index) >= growKeys {
			s.toTab()
		}
	}
	return slot
}

// growKeys is the keys of one word a side holds on its map before it moves
// them to a keyIndex. A map's lookup of an 8-byte key has code of its own
// (mapaccess2_fast64), fewer instructions than keyIndex.find's while the
// map is in the cache: Nexmark q5's join, on a handful of window starts,
// took 2.7% more instructions and 7.6% more CPU time through a keyIndex
// from the start. A large map misses the cache on each lookup of a new key
// (its group's control word, then the slot), the keyIndex once (an 8-byte
// slot, a third of the map's): q7's join, a side of up to 9.2M bids by
// price, spent a third of its time in the map's lookups.
const growKeys = 1 << 14

// toTab moves the keys of the side's map to a keyIndex (grows).
func (s *Side[K, R]) toTab() {
	s.tab, s.keys = newKeyIndex[K](), make([]K, len(s.heads), cap(s.heads))
	for k, slot := range s.index {
		s.keys[slot] = k
		_, _, h, j := s.tab.find(k, s.keys)
		s.tab.insert(h, j, slot)
	}
	s.index = nil
}

// dropKey forgets key k, of slot slot, whose entries have all gone.
func (s *Side[K, R]) dropKey(k K, slot uint32) {
	if s.tab != nil {
		_, _, _, j := s.tab.find(k, s.keys)
		s.tab.remove(j)
		var zero K
		s.keys[slot] = zero
	} else {
		delete(s.index, k)
	}
	s.heads[slot], s.freeKey = s.freeKey, slot
}

// resetKeys forgets every key (a new map or index, so that a large one's
// memory goes too).
func (s *Side[K, R]) resetKeys() {
	if s.tab != nil && !s.grows {
		s.tab, s.keys = newKeyIndex[K](), nil
	} else {
		s.tab, s.keys = nil, nil // a grown side starts on a map again
		s.index = make(map[K]uint32)
	}
	s.heads, s.freeKey, s.peak = nil, noKey, 0
}

// Next returns the entry of e's key that came before e, or nil.
func (s *Side[K, R]) Next(e *Entry[R]) *Entry[R] {
	if e.next == 0 {
		return nil
	}
	return s.at(e.next)
}

// Bucket returns a copy of the entries of key k, in arrival order (for
// tests and inspection; joins walk them with First and Next).
func (s *Side[K, R]) Bucket(k K) []Entry[R] {
	var out []Entry[R]
	for e := s.First(k); e != nil; e = s.Next(e) {
		c := *e
		c.next = 0
		out = append(out, c)
	}
	slices.Reverse(out)
	return out
}

// place stores e in a slot, before entry next of its key, and returns its id.
func (s *Side[K, R]) place(e *Entry[R], next uint32) uint32 {
	var id uint32
	if s.spare != 0 {
		id = s.spare
		s.spare = s.at(id).next
	} else {
		if s.used&chunkMask == 0 && int(s.used>>chunkShift) == len(s.chunks) {
			s.chunks = append(s.chunks, s.newChunk())
		}
		s.used++
		id = s.used
	}
	slot := s.at(id)
	if s.strs != nil {
		s.copyEntry(slot, e)
	} else {
		*slot = *e
	}
	slot.next = next
	return id
}

// release clears the slot of entry id (so it holds no strings alive) and
// gives it back.
func (s *Side[K, R]) release(id uint32) {
	slot := s.at(id)
	if s.strs != nil {
		s.clearEntry(slot)
		slot.next = s.spare
	} else {
		*slot = Entry[R]{next: s.spare}
	}
	s.spare = id
	s.rows--
	if s.strs != nil {
		s.compact()
	}
}

// Add keeps e under key k. With merge (an updating input) it is folded into
// an equal row's entry, which goes when its weight nets to zero; without (an
// append-only input, whose rows never retract) it is added. timed records
// e.TS for Evict.
func (s *Side[K, R]) Add(k K, e Entry[R], merge, timed bool) { s.add(k, &e, merge, timed) }

// add is Add, returning the id of the entry kept (0: merged).
func (s *Side[K, R]) add(k K, e *Entry[R], merge, timed bool) uint32 {
	var slot uint32
	var ok bool
	var h, j uint64
	if s.tab != nil {
		slot, ok, h, j = s.tab.find(k, s.keys)
	} else {
		slot, ok = s.index[k]
	}
	if ok && merge {
		var prev uint32
		for id := s.heads[slot]; id != 0; {
			x := s.at(id)
			if x.Row == e.Row {
				x.W += e.W
				if x.W == 0 {
					s.unlink(k, slot, prev, id)
				}
				return 0
			}
			prev, id = id, x.next
		}
	}
	if !ok {
		slot = s.addKey(k, h, j)
	}
	id := s.place(e, s.heads[slot])
	s.heads[slot] = id
	s.rows++
	if timed {
		s.times.push(timedKey[K]{e.TS, k})
		if !ok {
			s.peak = max(s.peak, s.keyCount())
		}
	} else {
		s.untimed = true
	}
	return id
}

// AddUnique keeps e, of an append-only input, under key k, timed as Add,
// and returns its id, which stays its own until it goes: a deduplication
// reading a join whose side is unique on the key holds it with the key's
// partition (topn.Dedup.Link), and finds the row with Entry.
func (s *Side[K, R]) AddUnique(k K, e Entry[R], timed bool) uint32 {
	if s.keyOf == nil {
		return s.add(k, &e, false, timed)
	}
	id := s.place(&e, 0)
	s.rows++
	if timed {
		s.held.push(timedKey[uint32]{e.TS, id})
	}
	return id
}

// Entry is the entry of id id, which AddUnique returned and which has not
// gone since.
func (s *Side[K, R]) Entry(id uint32) *Entry[R] { return s.at(id) }

// RemoveKey removes every entry of key k (a join whose other input is
// unique on the key: once that input's row of k has met them, no row to
// come can). Its times stay in the heap (Evict skips a key that has gone)
// until they are most of it: then the heap keeps only the times of the keys
// held (pruneTimes). Else a side whose rows all go this way (Nexmark q9's
// bids that come before their auction, 1.5M of 10M events, while its
// watermark passes no row) grows a heap of every row it ever held.
func (s *Side[K, R]) RemoveKey(k K) {
	slot, ok := s.slotOf(k)
	if !ok {
		return
	}
	for id := s.heads[slot]; id != 0; {
		next := s.at(id).next
		s.release(id)
		s.stale++
		id = next
	}
	s.dropKey(k, slot)
	if s.stale > s.times.n/2 && s.times.n >= shrinkKeys {
		s.pruneTimes()
	}
}

// pruneTimes drops from the heap the times of the keys not held. Each call
// drops at least as many times as RemoveKey removed entries since the last
// (half the heap), so the cost is a map lookup per time pushed. The times
// of a key held all stay, those of its rows that went too: Evict sweeps
// the key by the earliest, which drops only the rows it should.
func (s *Side[K, R]) pruneTimes() {
	s.stale = 0
	s.times.filter(func(tk timedKey[K]) bool {
		_, ok := s.slotOf(tk.key)
		return ok
	})
}

// unlink removes entry id, after prev (0: it is the newest), from the list
// of key k, of slot slot; an emptied key goes.
func (s *Side[K, R]) unlink(k K, slot, prev, id uint32) {
	next := s.at(id).next
	switch {
	case prev != 0:
		s.at(prev).next = next
	case next != 0:
		s.heads[slot] = next
	default:
		s.dropKey(k, slot)
	}
	s.release(id)
}

// oldestFirst fills s.scratch with the entry ids of key k, oldest first.
func (s *Side[K, R]) oldestFirst(k K) []uint32 {
	slot, ok := s.slotOf(k)
	if !ok {
		return s.scratch[:0]
	}
	return s.chain(s.heads[slot])
}

// chain fills s.scratch with the entry ids of the list from head, oldest
// first.
func (s *Side[K, R]) chain(head uint32) []uint32 {
	ids := s.scratch[:0]
	for id := head; id != 0; id = s.at(id).next {
		ids = append(ids, id)
	}
	slices.Reverse(ids)
	s.scratch = ids
	return ids
}

// Evict removes every row whose TS is before t (but math.MinInt64, an
// untimed entry), calling gone with each (an outer interval join emits the
// NULL-padded rows of those that matched nothing): key by key, in order of
// each key's earliest such TS, and in arrival order within a key.
//
// Each key's entries are swept once per call, keeping its other rows in
// arrival order: a key with many rows (a hot auction) costs one pass, not
// one per row. Without gone, a watermark past every row (the input ended)
// sweeps every key without sorting the times.
//
// The test for nothing to drop is small enough to inline: an interval join
// calls Evict as its other side's watermark moves, at nearly every row
// (Nexmark q9: once per bid, 1.3% of its instructions in the call).
func (s *Side[K, R]) Evict(t int64, gone func(k K, e *Entry[R])) {
	if s.times.n == 0 || s.times.min >= t {
		return
	}
	s.evict(t, gone)
}

// evict is Evict when some row's TS is before t.
func (s *Side[K, R]) evict(t int64, gone func(k K, e *Entry[R])) {
	if gone == nil && t == math.MaxInt64 {
		s.evictAll(t)
		return
	}
	var swept map[K]struct{} // keys swept by this call, after the first
	var first K
	any := false
	for s.times.n > 0 && s.times.min < t {
		tk := s.times.pop()
		if any && tk.key == first {
			continue
		}
		if any {
			if swept == nil {
				swept = make(map[K]struct{})
			}
			if _, ok := swept[tk.key]; ok {
				continue
			}
			swept[tk.key] = struct{}{}
		} else {
			first, any = tk.key, true
		}
		s.sweep(tk.key, t, gone)
	}
	s.shrink()
}

// shrinkKeys is the peak number of keys above which an emptied side makes
// a new map.
const shrinkKeys = 1024

// shrink makes a new map, slab and time heap once every row has gone, if
// the old ones had grown large.
func (s *Side[K, R]) shrink() {
	if s.keyCount() == 0 && s.peak > shrinkKeys {
		s.resetKeys()
	}
	if s.rows == 0 && len(s.chunks) > 4 {
		s.dropSlab()
	}
	if s.times.n == 0 && s.times.large() {
		s.times.reset()
	}
}

// sweep removes the rows of key k whose TS is before t (gone sees them
// oldest first), keeping the order of the others.
func (s *Side[K, R]) sweep(k K, t int64, gone func(k K, e *Entry[R])) {
	slot, ok := s.slotOf(k)
	if !ok {
		return // its rows retracted to nothing
	}
	ids := s.chain(s.heads[slot])
	var newest uint32 // the list of the rows that stay, rebuilt oldest first
	for _, id := range ids {
		e := s.at(id)
		// an entry stamped math.MinInt64 is not timed (state_ttl: a row
		// from before its input's first watermark never expires)
		if e.TS < t && e.TS != math.MinInt64 {
			if gone != nil {
				gone(k, e)
			}
			s.release(id)
			continue
		}
		e.next, newest = newest, id
	}
	if newest == 0 {
		s.dropKey(k, slot)
	} else {
		s.heads[slot] = newest
	}
}

// evictAll removes every row whose TS is before t. When every entry was
// added with its time, the rows that stay are those of the keys whose times
// in the heap are t or later (few: t is the end of input): they are set
// aside, and the rest goes at once, map and slab, for the GC to take, with
// no walk over the rows. Otherwise it sweeps every key.
func (s *Side[K, R]) evictAll(t int64) {
	old := s.times
	s.times = timeQueue[K]{}
	if s.untimed {
		s.eachKey(func(k K, _ uint32) { s.sweep(k, t, nil) })
		old.each(func(tk timedKey[K]) {
			if tk.ts >= t {
				s.times.push(tk)
			}
		})
		s.shrink()
		return
	}
	type kept struct {
		k K
		e Entry[R]
	}
	var stay []kept
	seen := map[K]bool{}
	old.each(func(tk timedKey[K]) {
		if tk.ts < t || seen[tk.key] {
			return
		}
		seen[tk.key] = true
		for _, id := range s.oldestFirst(tk.key) {
			if e := s.at(id); e.TS >= t || e.TS == math.MinInt64 {
				stay = append(stay, kept{tk.key, *e})
			}
		}
	})
	s.resetKeys()
	s.dropSlab()
	s.rows = 0
	for i := range stay {
		s.Add(stay[i].k, stay[i].e, false, true)
	}
}

// Len is the number of entries kept.
func (s *Side[K, R]) Len() int { return s.rows }

// Each calls f with every entry, for snapshots: key by key in no
// particular order, each key's oldest first (Restore adds them back in
// that order, rebuilding the same lists).
func (s *Side[K, R]) Each(f func(k K, e *Entry[R])) {
	if s.keyOf != nil {
		s.eachKeyless(f)
		return
	}
	s.eachKey(func(k K, _ uint32) {
		for _, id := range s.oldestFirst(k) {
			f(k, s.at(id))
		}
	})
}

// Restore adds an entry read from a snapshot.
func (s *Side[K, R]) Restore(k K, e Entry[R], timed bool) { s.Add(k, e, false, timed) }

type timedKey[K any] struct {
	ts  int64
	key K
}

// timeHeap is a binary min-heap by time (typed, so pushing does not box).
type timeHeap[K any] []timedKey[K]

func (h *timeHeap[K]) push(x timedKey[K]) {
	*h = append(*h, x)
	a := *h
	for i := len(a) - 1; i > 0; {
		parent := (i - 1) / 2
		if a[parent].ts <= a[i].ts {
			break
		}
		a[parent], a[i] = a[i], a[parent]
		i = parent
	}
}

func (h *timeHeap[K]) pop() timedKey[K] {
	a := *h
	top := a[0]
	last := len(a) - 1
	a[0] = a[last]
	var zero timedKey[K]
	a[last] = zero
	a = a[:last]
	a.down(0)
	*h = a
	return top
}

// init orders the heap from any order of its times.
func (h timeHeap[K]) init() {
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

// down moves the time at i down to its place.
func (h timeHeap[K]) down(i int) {
	a := h
	for {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(a) && a[l].ts < a[m].ts {
			m = l
		}
		if r < len(a) && a[r].ts < a[m].ts {
			m = r
		}
		if m == i {
			return
		}
		a[i], a[m] = a[m], a[i]
		i = m
	}
}

// Copies is how many times a change of weight w is emitted: |w|.
func Copies(w int64) int {
	if w < 0 {
		return int(-w)
	}
	return int(w)
}

// Prune drops the rows of the keys keep reports false for (a worker's
// share of a checkpoint loaded into every worker, codegen/parallel.go).
func (s *Side[K, R]) Prune(keep func(k K) bool) {
	if s.keyOf != nil {
		for id := uint32(1); id <= s.used; id++ {
			if e := s.at(id); e.W != 0 && !keep(s.keyOf(&e.Row)) {
				s.release(id)
			}
		}
		old := s.held
		s.held = nil
		for _, x := range old {
			if s.at(x.key).W != 0 {
				s.held.push(x)
			}
		}
		return
	}
	s.eachKey(func(k K, slot uint32) {
		if keep(k) {
			return
		}
		for id := s.heads[slot]; id != 0; {
			next := s.at(id).next
			s.release(id) // its slot is reused by later rows
			id = next
		}
		s.dropKey(k, slot) // eachKey allows it
	})
	s.times.filter(func(tk timedKey[K]) bool {
		_, ok := s.slotOf(tk.key)
		return ok
	})
	s.shrink()
}
