// Package window holds the keyed state of aggregating operators: groups of
// aggregate state in arrival order, and the set of open event-time windows.
// Generated code supplies the key and state types (plain structs), so the
// per-row work is a map lookup and field updates the compiler sees whole.
package window

import (
	"hash/maphash"
	"math"
	"reflect"
	"slices"
	"unsafe"

	"github.com/laminar-sql/laminar/runtime/internal/keyhash"
	"github.com/laminar-sql/laminar/runtime/internal/prefault"
)

// Groups maps group keys to aggregate state, remembering the order in which
// groups first appeared so that emitted rows come out in a deterministic order.
// The zero value is not ready: use NewGroups or Reset.
//
// The index is an open-addressing table of 8-byte slots (a group's number
// and 32 bits of its key's hash), not a map[K]int32: a map keeps a second
// copy of every key and a slot of key+index at a low load, which made the
// index the largest part of a group (about 80 of 170 bytes for a string
// key); the table costs about 14 bytes a group and reads the key from Keys.
//
// The index grows by doubling, incrementally: a full table stays as old,
// read-only, while a new one twice its size takes the groups added since
// and, a few per Find that adds a group or finds one only in old, the
// groups of old in group order, until old holds none that the new one does
// not. A rehash all at once stalls the Find that triggers it for the
// whole table (milliseconds at a million groups), which in a job split
// among workers holds every other worker up at the round's end.
//
// A slot's tag is the hash's low 32 bits, of which the table's size takes
// its home (home), not the high ones: a slot alone says where it belongs in
// a table of any size (slotHome), so the groups of old move in old's slot
// order without their keys read or hashed again, and their writes into the new table go to two
// runs (home and home plus old's size) that stay in the cache, where moving
// them in group order wrote each to a random slot of a table of tens of MB
// (a cache miss apiece: 11% of groupby_many's time at one worker).
//
// Keys and states live in chunks of chunkLen groups (Key, State), not in
// one slice each: a slice grown by append copies all of itself at each
// growth, 100 MB at two million groups of a 56-byte state, a stall of
// 20-130 ms on the worker whose table grows (groupby_many's rounds took
// 0.75 ms at the median). The first chunk is a slice that grows by
// doubling up to chunkLen, so that a small table (a window's) stays small;
// the others are arrays allocated whole, which never move.
type Groups[K comparable, S any] struct {
	keys0   []K // groups 0 to chunkLen-1
	states0 []S
	keys    []*[chunkLen]K // chunk c >= 1 (groups c<<chunkBits on) at c-1; zero past the last group
	states  []*[chunkLen]S
	n       int32 // groups
	// Dirty lists the groups changed since the last ClearDirty, for operators
	// that emit changes per batch; generated code appends to it.
	Dirty []int32
	slots []uint64 // 0: empty; else the hash's low 32 bits<<32 | group+1
	// old is the table before the last doubling while its groups move to
	// slots: the groups of old's slots moved.. are indexed in old only, the
	// others in slots only; nil when none are left to move
	old   []uint64
	moved int
	// next is the table of the next doubling (twice slots), made once the
	// load passes 9/16 in a large index and mapped a piece per chunk of
	// groups added (prepare)
	next prefault.Ahead
	// spareKeys and spareStates are the chunk after the last, made and
	// mapped a quarter at a time (spareQuarters of them) while the last
	// one fills (prepareChunk); nil if none
	spareKeys     *[chunkLen]K
	spareStates   *[chunkLen]S
	spareQuarters int
	seed          maphash.Seed
	entry         int64 // estimated bytes of one group (see Live)
	// kind is how keys hash: keyAny through maphash.Comparable, the others
	// from the key's bytes (keyKindOf), with seed64 in place of seed
	kind   keyKind
	seed64 uint64
}

// keyKind is how Groups hashes a key type.
type keyKind uint8

const (
	keyAny   keyKind = iota // maphash.Comparable
	keyEmpty                // no bytes (GROUP BY window_start, window_end alone): every key is the one group's
	keyWord                 // one 8-byte word of integers: a single BIGINT or TIMESTAMP column
	keyWords                // two such words
)

// keyKindOf is how keys of type K hash. A key whose bytes are all of it
// (integers and booleans, no padding, no floats, pointers or strings) is
// equal to another exactly when its bytes are, so its words can be hashed
// directly, without the type-driven maphash.Comparable: a few instructions
// where that is a call chain of several dozen per Find.
func keyKindOf[K comparable]() keyKind {
	t := reflect.TypeFor[K]()
	if t.Size() == 0 {
		return keyEmpty
	}
	if !keyhash.PlainBytes(t) {
		return keyAny
	}
	switch t.Size() {
	case 8:
		return keyWord
	case 16:
		return keyWords
	}
	return keyAny
}

// home is the first slot of the probe for hash h in a table of mask+1
// slots: the hash's low bits, of the 32 that the slot keeps (its tag), so
// that a slot's home follows from the slot (slotHome).
func home(h, mask uint64) uint64 { return h & mask }

// slotHome is the home of the group in slot s.
func slotHome(s, mask uint64) uint64 { return s >> 32 & mask }

// tagOf is the tag of hash h: its low 32 bits, in a slot's high half.
func tagOf(h uint64) uint64 { return h << 32 }

// hash is the hash of key k that indexes it in slots.
func (g *Groups[K, S]) hash(k *K) uint64 {
	switch g.kind {
	case keyWord:
		return keyhash.Mix(*(*uint64)(unsafe.Pointer(k)) ^ g.seed64)
	case keyWords:
		w := (*[2]uint64)(unsafe.Pointer(k))
		return keyhash.Mix(keyhash.Mix(w[0]^g.seed64) ^ w[1])
	case keyEmpty:
		return 0
	}
	return g.hashAny(k)
}

// hashAny is hash's general case, for the index's upkeep (doublings, moves,
// removes); Find calls maphash.Comparable itself.
func (g *Groups[K, S]) hashAny(k *K) uint64 { return maphash.Comparable(g.seed, *k) }

// minSlots is the size of the index of a new Groups.
const minSlots = 8

// chunkLen is the number of groups in every chunk of keys and states after
// the first: 4,096 (224 KB of a 56-byte state), so that a new chunk is
// small against a round's work and the extra load per access (the chunk's
// header) stays in the cache.
const (
	chunkBits = 12
	chunkLen  = 1 << chunkBits
	chunkMask = chunkLen - 1
)

// Key is the key of group i. A pointer from Key or State is valid until the
// next Find: the first chunk moves while it grows (the others never do).
func (g *Groups[K, S]) Key(i int32) *K {
	if i < chunkLen {
		return &g.keys0[i]
	}
	return &g.keys[i>>chunkBits-1][i&chunkMask]
}

// State is the aggregate state of group i.
func (g *Groups[K, S]) State(i int32) *S {
	if i < chunkLen {
		return &g.states0[i]
	}
	return &g.states[i>>chunkBits-1][i&chunkMask]
}

// Count is the number of groups, as a group index: for gi := range
// g.Count() visits every group.
func (g *Groups[K, S]) Count() int32 { return g.n }

// NewGroups returns an empty set of groups.
func NewGroups[K comparable, S any]() *Groups[K, S] {
	g := &Groups[K, S]{entry: entryBytes[K, S]()}
	g.init()
	return g
}

// Find returns the index of key k's state, adding a zero state when k is new.
func (g *Groups[K, S]) Find(k K) (i int32, added bool) {
	if g.kind == keyWord {
		// a key of one integer word (a BIGINT): hash spelled out and the
		// probe loop with no call but a miss's, so that a hit spills nothing
		h := keyhash.Mix(*(*uint64)(unsafe.Pointer(&k)) ^ g.seed64)
		mask := uint64(len(g.slots) - 1) // init made slots before kind
		for j := home(h, mask); ; j = (j + 1) & mask {
			s := g.slots[j]
			if s == 0 {
				return g.miss(h, j, k)
			}
			if s>>32 == h&0xffffffff {
				if i := int32(uint32(s)) - 1; *g.Key(i) == k {
					return i, false
				}
			}
		}
	}
	return g.find(k)
}

// find is Find for the other kinds of key, and for a zero Groups.
func (g *Groups[K, S]) find(k K) (i int32, added bool) {
	if len(g.slots) == 0 {
		g.init()
	}
	var h uint64
	switch g.kind {
	case keyAny: // called here, not through hash: one call fewer
		h = maphash.Comparable(g.seed, k)
	case keyEmpty:
		if g.n > 0 {
			return 0, false // the one group there is
		}
	default:
		h = g.hash(&k)
	}
	tag := tagOf(h)
	mask := uint64(len(g.slots) - 1)
	for j := home(h, mask); ; j = (j + 1) & mask {
		s := g.slots[j]
		if s == 0 {
			return g.miss(h, j, k)
		}
		if s&^0xffffffff == tag {
			if i := int32(uint32(s)) - 1; *g.Key(i) == k {
				return i, false
			}
		}
	}
}

// miss is Find's end for a key k (of hash h) not in slots, whose probe
// met the empty slot j: the group is in old while the index doubles, or new.
func (g *Groups[K, S]) miss(h, j uint64, k K) (i int32, added bool) {
	tag := tagOf(h)
	if g.old != nil {
		if i := g.findOld(h, tag, k); i >= 0 {
			g.move(movesPerFind)
			return i, false
		}
	}
	return g.add(j, tag, k), true
}

// Only is Find for a key type of no bytes (GROUP BY window_start,
// window_end alone), inlined into the caller's loop: the index of the one
// group there is, added by the first call.
func (g *Groups[K, S]) Only() int32 {
	if g.n == 0 {
		var k K
		g.Find(k)
	}
	return 0
}

// movesPerFind is how many slots of old move per Find that adds a group or
// finds one in old: a doubling leaves the new table at a load of 3/8, and
// the groups of old (3/8 of it) have moved long before the groups added
// reach 3/8 more, the load at which the table doubles again. 16 rather than
// 4: the fewer Finds a doubling lasts, the fewer probe both tables
// (groupby_many at 1M events: 1,097M instructions at 4, 1,057M at 16,
// 1,075M rehashing at once), and a Find's 16 moves are well under a µs.
const movesPerFind = 16

// incrementalGroups is the fewest groups whose index doubles incrementally:
// a smaller one rehashes at once (under 0.1 ms), without the second
// table's probes (the windows of a tumbling count each grow from empty).
const incrementalGroups = 1 << 13

// findOld is key k's group (of hash h) in the old table, or -1. It may be
// one that has moved: its number is the same in both tables.
func (g *Groups[K, S]) findOld(h, tag uint64, k K) int32 {
	mask := uint64(len(g.old) - 1)
	for j := home(h, mask); ; j = (j + 1) & mask {
		s := g.old[j]
		if s == 0 {
			return -1
		}
		if s&^0xffffffff == tag {
			if i := int32(uint32(s)) - 1; *g.Key(i) == k {
				return i
			}
		}
	}
}

// move indexes the groups of up to n more slots of old in slots, in old's
// slot order, dropping old once they all have. A slot holds its home
// (home), so no key is read: the writes follow old's order, at home or
// home plus len(old) in the new table.
func (g *Groups[K, S]) move(n int) {
	end := min(g.moved+n, len(g.old))
	mask := uint64(len(g.slots) - 1)
	for _, s := range g.old[g.moved:end] {
		if s == 0 {
			continue
		}
		j := slotHome(s, mask)
		for g.slots[j] != 0 {
			j = (j + 1) & mask
		}
		g.slots[j] = s
	}
	g.moved = end
	if end == len(g.old) {
		g.old = nil
	}
}

// settle moves every group still indexed in old only (before an operation
// that works on one table: Remove, Grow).
func (g *Groups[K, S]) settle() {
	if g.old != nil {
		g.move(len(g.old) - g.moved)
	}
}

// add stores key k as a new group in the empty slot j.
func (g *Groups[K, S]) add(j, tag uint64, k K) int32 {
	i := g.n
	if i < chunkLen {
		var zero S
		g.keys0 = push(g.keys0, k)
		g.states0 = push(g.states0, zero)
	} else {
		c := int(i>>chunkBits) - 1
		if c == len(g.keys) {
			g.addChunk()
		}
		g.keys[c][i&chunkMask] = k // its state is zero
		if i&(chunkLen/4-1) == 0 && c+1 == len(g.keys) {
			g.prepareChunk(int(i&chunkMask) / (chunkLen / 4))
		}
	}
	g.n++
	g.slots[j] = tag | uint64(i+1)
	if g.old != nil {
		g.move(movesPerFind)
	}
	if 4*int(g.n) > 3*len(g.slots) { // load above 3/4
		g.double()
	}
	live.groups.Add(1)
	live.bytes.Add(g.entry)
	return i
}

// addChunk appends a zero chunk to keys and states: the one prepareChunk
// made, or a new one.
func (g *Groups[K, S]) addChunk() {
	k, s := g.spareKeys, g.spareStates
	if k == nil {
		k, s = new([chunkLen]K), new([chunkLen]S)
	}
	for q := g.spareQuarters; q < 4; q++ {
		prefaultQuarter(k, q)
		prefaultQuarter(s, q)
	}
	g.spareKeys, g.spareStates, g.spareQuarters = nil, nil, 0
	g.keys, g.states = append(g.keys, k), append(g.states, s)
	g.prepare()
}

// prepareChunk maps quarter q of the chunk after the last, made at q 0,
// as the last one fills (a quarter per chunkLen/4 groups added): a new
// chunk's pages (288 KB of groupby_many's 64-byte states and keys, about
// 0.1 ms to map here) come in a piece per 1,024 groups rather than at once
// in the Find that starts the chunk, so that a worker adding a chunk in a
// round of about 1 ms is not a tenth of a round behind the others (each
// worker adds one every two or three rounds).
func (g *Groups[K, S]) prepareChunk(q int) {
	if g.spareKeys == nil {
		if q != 0 {
			return
		}
		g.spareKeys, g.spareStates = new([chunkLen]K), new([chunkLen]S)
	}
	if q == g.spareQuarters {
		prefaultQuarter(g.spareKeys, q)
		prefaultQuarter(g.spareStates, q)
		g.spareQuarters++
	}
}

// prepareSlots is the smallest index whose next table is made and mapped
// ahead of its doubling (16 MB of next table): mapping a new table's pages
// costs about 0.4 ms a MB here (the kernel zeroes each), which at the
// doubling of an index of 2M slots stalled the worker doubling it for
// 13 ms of a round of 1 ms while the others waited (groupby_many's largest
// imbalance at two workers). A smaller table maps in a few ms at most.
const prepareSlots = 1 << 20

// prepareStep is the elements of the next table mapped per chunk of groups
// added (512 KB): between a load of 9/16, where the next table is made, and
// 3/4, where the index doubles, 3/16 of slots groups are added, len(slots)
// * 3/16 / chunkLen chunks, which map 3/2 of the next table's
// 16*len(slots) bytes, so that the doubling finds it mapped.
const prepareStep = 64 << 10

// prepare makes and maps the next table a piece at a time, once a large
// index is past a load of 9/16 (prepareSlots): its memory comes in as the
// groups do, spread over the rounds of a job on workers, not at once in
// the Find that doubles the index. The cost is the next table's memory
// from 9/16 on rather than 3/4 (twice the index's, at most, when the input
// ends between the two).
func (g *Groups[K, S]) prepare() {
	if len(g.slots) < prepareSlots || 16*int(g.n) < 9*len(g.slots) {
		return
	}
	g.next.Map(2*len(g.slots), prepareStep)
}

// push appends v to the first chunk, doubling it up to chunkLen.
func push[T any](c []T, v T) []T {
	if len(c) == cap(c) && cap(c) < chunkLen {
		c = growFirst(c)
	}
	return append(c, v)
}

// growFirst doubles the first chunk c, up to chunkLen (out of push, which
// inlines into add).
func growFirst[T any](c []T) []T {
	c = slices.Grow(c, min(max(2*cap(c), 8), chunkLen)-len(c))
	prefault.Slice(c[len(c):cap(c)])
	return c
}

// double starts moving the index to a table of twice the slots: the
// groups so far stay indexed in old until they move (move).
func (g *Groups[K, S]) double() {
	g.settle() // the last doubling's groups, in case Finds found them all in slots
	if g.n < incrementalGroups {
		g.rehash(2 * len(g.slots)) // a small table: at once
		return
	}
	g.old = g.slots
	g.slots = g.next.Take(2 * len(g.old)) // made and mapped ahead, if large (prepare)
	g.moved = 0
}

// rehash rebuilds the index with n slots (a power of two) at once.
func (g *Groups[K, S]) rehash(n int) {
	g.next = prefault.Ahead{}
	if cap(g.slots) >= n {
		g.slots = g.slots[:n]
		clear(g.slots)
	} else {
		g.slots = make([]uint64, n)
		prefault.Slice(g.slots)
	}
	mask := uint64(n - 1)
	for i := range g.n {
		h := g.hash(g.Key(i))
		j := home(h, mask)
		for g.slots[j] != 0 {
			j = (j + 1) & mask
		}
		g.slots[j] = tagOf(h) | uint64(i+1)
	}
}

// slotOf is the index slot of group i; no group may be left in old (settle).
func (g *Groups[K, S]) slotOf(i int32) uint64 {
	mask := uint64(len(g.slots) - 1)
	for j := home(g.hash(g.Key(i)), mask); ; j = (j + 1) & mask {
		if int32(uint32(g.slots[j]))-1 == i {
			return j
		}
	}
}

// unindex empties slot j, moving later slots of its probe run back so that
// every key stays reachable from its home slot (deletion by backward shift:
// no tombstones). A slot's home follows from the slot (home).
func (g *Groups[K, S]) unindex(j uint64) {
	mask := uint64(len(g.slots) - 1)
	for {
		g.slots[j] = 0
		k := j
		for {
			k = (k + 1) & mask
			s := g.slots[k]
			if s == 0 {
				return
			}
			h := slotHome(s, mask)
			// s may move to j unless its home lies cyclically in (j, k]
			if (j < k && (h <= j || h > k)) || (j > k && h <= j && h > k) {
				g.slots[j] = s
				j = k
				break
			}
		}
	}
}

// inlineMix is never called: its body, a call of keyhash.Mix, puts
// keyhash.Mix's in this package's export data, without which the calls of
// it in the generic code above do not inline into a job's instantiations
// (the job's package does not import keyhash; as golang/go#56280:
// q5_counts took 1.6% more instructions). Calling Mix through a function
// of this package inlines too, but adds a NOP (an inline mark) per call.
func inlineMix(x uint64) uint64 { return keyhash.Mix(x) }

// init readies a zero Groups.
func (g *Groups[K, S]) init() {
	g.seed = maphash.MakeSeed()
	g.seed64 = maphash.Comparable(g.seed, uint64(0))
	g.kind = keyKindOf[K]()
	g.slots = make([]uint64, minSlots)
	if g.entry == 0 {
		g.entry = entryBytes[K, S]()
	}
}

// Grow makes room for n more groups (restoring a checkpoint knows how many).
func (g *Groups[K, S]) Grow(n int) {
	if len(g.slots) == 0 {
		g.init()
	}
	g.settle()
	want := int(g.n) + n
	if first := min(want, chunkLen); cap(g.keys0) < first {
		g.keys0 = slices.Grow(g.keys0, first-len(g.keys0))
		g.states0 = slices.Grow(g.states0, first-len(g.states0))
	}
	for (len(g.keys)+1)*chunkLen < want {
		g.addChunk()
	}
	if 4*want > 3*len(g.slots) {
		size := minSlots
		for 4*want > 3*size {
			size *= 2
		}
		g.rehash(size)
	}
}

// Len is the number of groups.
func (g *Groups[K, S]) Len() int { return int(g.n) }

// Reset empties g, keeping its memory for reuse.
func (g *Groups[K, S]) Reset() {
	if len(g.slots) == 0 {
		g.init()
	}
	clear(g.slots)
	g.old, g.moved = nil, 0
	g.next = prefault.Ahead{}
	live.groups.Add(-int64(g.n))
	live.bytes.Add(-int64(g.n) * g.entry)
	// drop references (strings) for the GC; a chunk is zero past the last group
	clear(g.keys0)
	clear(g.states0)
	g.keys0, g.states0 = g.keys0[:0], g.states0[:0]
	for c := range g.keys {
		used := min(int(g.n)-(c+1)*chunkLen, chunkLen)
		if used <= 0 {
			break
		}
		clear(g.keys[c][:used])
		clear(g.states[c][:used])
	}
	g.n, g.Dirty = 0, g.Dirty[:0]
}

// Windows holds the open windows of one windowed operator, each with its own
// Groups, ordered by start. Windows end at start+Size and close, in order,
// when the watermark reaches their end.
type Windows[K comparable, S any] struct {
	Size   int64
	starts []int64 // open window starts, ascending
	open   []*Groups[K, S]
	free   []*Groups[K, S]
	// the last window Window returned and its start, or nil: a cache for
	// in-order input, Window's inlined case (a load and a compare)
	lastG     *Groups[K, S]
	lastStart int64
}

// NewWindows returns an empty set of windows of the given size (µs).
func NewWindows[K comparable, S any](size int64) *Windows[K, S] {
	return &Windows[K, S]{Size: size}
}

// Window returns the groups of the window starting at start, opening it if needed.
func (w *Windows[K, S]) Window(start int64) *Groups[K, S] {
	if w.lastStart != start || w.lastG == nil {
		return w.window(start)
	}
	return w.lastG // in-order input: inlined into the caller's loop
}

// window is Window's search, out of line so that Window inlines.
func (w *Windows[K, S]) window(start int64) *Groups[K, S] {
	i, found := slices.BinarySearch(w.starts, start)
	if !found {
		var g *Groups[K, S]
		if n := len(w.free); n > 0 {
			g, w.free = w.free[n-1], w.free[:n-1]
		} else {
			g = NewGroups[K, S]()
		}
		w.starts = slices.Insert(w.starts, i, start)
		w.open = slices.Insert(w.open, i, g)
	}
	w.lastStart, w.lastG = start, w.open[i]
	return w.lastG
}

// NextEnd is the end of the earliest open window, or MaxInt64 when none is open.
func (w *Windows[K, S]) NextEnd() int64 {
	if len(w.starts) == 0 {
		return math.MaxInt64
	}
	return w.starts[0] + w.Size
}

// Len is the number of open windows.
func (w *Windows[K, S]) Len() int { return len(w.starts) }

// Groups is the number of groups over all open windows: the state an
// operator reports to explain --analyze.
func (w *Windows[K, S]) Groups() int {
	n := 0
	for _, g := range w.open {
		n += g.Len()
	}
	return n
}

// At returns the i-th open window (by start) and its start.
func (w *Windows[K, S]) At(i int) (int64, *Groups[K, S]) { return w.starts[i], w.open[i] }

// PopEarliest removes the earliest open window and returns it; the caller
// emits its rows and then hands it back with Release.
func (w *Windows[K, S]) PopEarliest() (int64, *Groups[K, S]) {
	start, g := w.starts[0], w.open[0]
	w.starts = slices.Delete(w.starts, 0, 1)
	w.open = slices.Delete(w.open, 0, 1)
	w.lastG = nil
	return start, g
}

// Release recycles the groups of a closed window.
func (w *Windows[K, S]) Release(g *Groups[K, S]) {
	g.Reset()
	w.free = append(w.free, g)
}
