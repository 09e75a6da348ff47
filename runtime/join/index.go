package join

import (
	"hash/maphash"
	"reflect"
	"unsafe"

	"github.com/laminar-sql/laminar/runtime/internal/keyhash"
	"github.com/laminar-sql/laminar/runtime/internal/prefault"
)

// keyIndex finds a side's key slots by key, for keys whose bytes are all of
// them (integers and booleans, no padding, floats, pointers or strings: a
// join on BIGINT or TIMESTAMP columns), in place of a map[K]uint32.
//
// Keys of one word start on the map and move to one when many (Side.grows).
//
// It is an open-addressing table of 8-byte slots (the hash's low 32 bits,
// the tag, and the key slot + 1); the keys are the side's (Side.keys, by
// key slot). A map keeps a copy of every key beside its value in groups of
// eight and reaches them through a directory of tables: looking up a key
// that is not there (every new key of a side, before it is added) read a
// group's control word in a table of 24-byte slots, a cache miss apiece,
// and one that is there read its slot as well. Nexmark q8's join, which
// keeps 200K persons and probes them with 106K sellers, spent 20% of its
// time in map lookups; here a lookup of a new key reads a slot of a table
// a third the size, and a hit the key besides (200K adds and 106K hits: 42
// ms by map, 15 ms here, in a benchmark of the two).
//
// The table doubles at a load of 3/4; a slot's tag says where it goes in a
// table of any size, so no key is read or hashed again. A small one (under
// incrementalKeys) doubles at once; a large one incrementally, as
// window.Groups' index does: the full table stays as old while one twice
// its size takes the keys added since and, movesPerOp per insert or
// remove, the slots of old in old's order, until all have moved. A
// doubling all at once stalls the insert that triggers it for the whole
// table, which in a job split among workers holds every other worker up
// at the round's barrier (BenchmarkKeyIndexInsert4M: the longest of 4M
// inserts took 46-70 ms; incrementally 2 ms, the new table's make, which
// zeroes 64 MB of reused heap).
//
// A key leaves slots by backward shift, without tombstones. One indexed in
// old only (of old's slots moved.. on) is removed by a tombstone there:
// old keeps its probe runs whole (find reaches the keys past it) and
// move skips it. Settling the move before a removal would be simpler but
// brings the stall back at the first eviction after a doubling, and a
// backward shift in old could carry a slot not yet moved back into the
// moved part, where it would be lost.
type keyIndex[K comparable] struct {
	slots []uint64 // 0: empty; else the hash's low 32 bits<<32 | key slot+1
	// old is the table before the last doubling while its keys move to
	// slots: the keys of old's slots moved.. are indexed in old only (or
	// are tombstones), those of the slots before moved in slots only, their
	// copies in old stale; nil when none are left to move
	old   []uint64
	moved int
	// next is the table of the next doubling, made once a large index is
	// past a load of 9/16 (prepare)
	next  prefault.Ahead
	n     int // keys held, in either table
	words int // the key's size in 8-byte words
	seed  uint64
}

// inOld marks a table index that find returns for a key held in old.
const inOld = 1 << 63

// tomb is a key removed from old before it moved: tag 0 and key slot
// 2^32-2, which no side reaches (4G keys).
const tomb = 1<<32 - 1

// incrementalKeys is the fewest keys whose index doubles incrementally: a
// smaller one doubles at once (under 0.1 ms), without probes of two tables.
const incrementalKeys = 1 << 13

// movesPerOp is how many slots of old move per insert or remove: a
// doubling leaves the new table at a load of 3/8, and old's len/16
// inserts' worth of moves end long before the 3/8 more keys that double it
// again (moves on removals only end it sooner).
const movesPerOp = 16

// plainKey reports whether keys of type K are compared by their bytes, all
// of which belong to a field, in whole 8-byte words, two or more
// (keyIndex's keys). A key of one word starts on the map, whose lookups of
// 8-byte keys have their own code (mapaccess2_fast64): through a keyIndex
// from the start q20's and q5's joins took 1.1% and 4% more instructions;
// it moves to a keyIndex once it is large (plainWord, Side.grows).
func plainKey[K comparable]() bool {
	t := reflect.TypeFor[K]()
	return t.Size() >= 16 && t.Size()%8 == 0 && t.Size() <= 64 && keyhash.PlainBytes(t)
}

// plainWord reports whether keys of type K are one word of plain bytes (a
// join on one BIGINT or TIMESTAMP column): a side of them starts on a map
// and moves to a keyIndex once it is large (Side.grows).
func plainWord[K comparable]() bool {
	t := reflect.TypeFor[K]()
	return t.Size() == 8 && keyhash.PlainBytes(t)
}

// newKeyIndex returns an empty index for keys of type K (plainKey).
func newKeyIndex[K comparable]() *keyIndex[K] {
	var k K
	return &keyIndex[K]{
		slots: make([]uint64, 8),
		words: int(unsafe.Sizeof(k) / 8),
		seed:  maphash.Comparable(maphash.MakeSeed(), uint64(0)),
	}
}

// inlineMix is never called: its body puts keyhash.Mix's in this
// package's export data, so that the calls in hash inline into a job's
// instantiations (see window's inlineMix).
func inlineMix(x uint64) uint64 { return keyhash.Mix(x) }

// hash is the hash of key k.
func (x *keyIndex[K]) hash(k *K) uint64 {
	w := unsafe.Slice((*uint64)(unsafe.Pointer(k)), x.words)
	h := keyhash.Mix(w[0] ^ x.seed)
	for _, v := range w[1:] {
		h = keyhash.Mix(h ^ v)
	}
	return h
}

// find returns the slot of key k, if held, and its hash and the table
// index where the probe ended: an empty slot of slots when k is not held,
// for insert; k's slot in slots, or in old | inOld, for remove.
func (x *keyIndex[K]) find(k K, keys []K) (slot uint32, ok bool, h, j uint64) {
	h = x.hash(&k)
	mask := uint64(len(x.slots) - 1)
	for j = h & mask; ; j = (j + 1) & mask {
		s := x.slots[j]
		if s == 0 {
			if x.old != nil {
				if slot, jo, ok := x.findOld(h, k, keys); ok {
					return slot, true, h, jo | inOld
				}
			}
			return 0, false, h, j
		}
		if s>>32 == h&0xffffffff {
			if i := uint32(s) - 1; keys[i] == k {
				return i, true, h, j
			}
		}
	}
}

// findOld finds key k (of hash h, not in slots) among the keys indexed in
// old only, those of its slots moved.. on: one before moved is a stale
// copy, its key since removed from slots (and its key slot maybe reused).
func (x *keyIndex[K]) findOld(h uint64, k K, keys []K) (slot uint32, j uint64, ok bool) {
	mask := uint64(len(x.old) - 1)
	for j = h & mask; ; j = (j + 1) & mask {
		s := x.old[j]
		if s == 0 {
			return 0, 0, false
		}
		if s>>32 == h&0xffffffff && s != tomb && j >= uint64(x.moved) {
			if i := uint32(s) - 1; keys[i] == k {
				return i, j, true
			}
		}
	}
}

// insert indexes key slot slot, of a key of hash h not held, at the empty
// index j of slots that find returned.
func (x *keyIndex[K]) insert(h, j uint64, slot uint32) {
	x.slots[j] = h<<32 | uint64(slot+1)
	x.n++
	if x.old != nil {
		x.move(movesPerOp)
	}
	if 4*x.n > 3*len(x.slots) {
		x.double()
	} else if x.n&(prepareEvery-1) == 0 && len(x.slots) >= prepareSlots && 16*x.n >= 9*len(x.slots) {
		x.prepare()
	}
}

// prepareSlots is the smallest index whose next table is made and mapped
// ahead of its doubling, as window.Groups' is (see its prepareSlots): a
// new table's first touch of each page is a probe's read, which maps the
// kernel's zero page, and the insert after it faults again to replace it,
// with a TLB flush on every CPU the process runs on (q7's side of bids by
// price spent 4.7% of its time there); mapping the table writable at its
// make instead stalls the insert that doubles it, 0.4 ms a MB here. A
// smaller table is mapped at its make, in 6 ms at most.
const prepareSlots = 1 << 20

// prepareEvery and prepareStep: every prepareEvery inserts past a load of
// 9/16 map prepareStep more slots of the next table (128 KB). Of the 3/16
// of len(slots) inserts before the doubling at 3/4, 3/16 * len(slots) /
// prepareEvery map 3 * len(slots) slots, more than the next table's 2 *
// len(slots), so that the doubling finds it mapped.
const (
	prepareEvery = 1 << 10
	prepareStep  = 16 << 10
)

// prepare makes the next table, if not yet, and maps prepareStep more of
// its slots writable (see prepareSlots).
func (x *keyIndex[K]) prepare() { x.next.Map(2*len(x.slots), prepareStep) }

// double moves the index to a table twice the size: at once when it is
// small, else starting an incremental move (move). A slot's home is its
// tag's low bits, so the keys are not read. The new table is mapped
// writable before its first probe (prepareSlots).
func (x *keyIndex[K]) double() {
	x.settle() // the last doubling's, if removals kept its moves behind
	old := x.slots
	x.slots = x.next.Take(2 * len(old)) // made and mapped ahead, if large (prepare)
	if x.n >= incrementalKeys {
		x.old, x.moved = old, 0
		return
	}
	mask := uint64(len(x.slots) - 1)
	for _, s := range old {
		if s == 0 {
			continue
		}
		j := s >> 32 & mask
		for x.slots[j] != 0 {
			j = (j + 1) & mask
		}
		x.slots[j] = s
	}
}

// move indexes the keys of up to n more slots of old in slots, in old's
// slot order (so its writes go to two runs of slots, at home and home plus
// len(old), that stay in the cache), dropping old once all have moved.
func (x *keyIndex[K]) move(n int) {
	end := min(x.moved+n, len(x.old))
	mask := uint64(len(x.slots) - 1)
	for _, s := range x.old[x.moved:end] {
		if s == 0 || s == tomb {
			continue
		}
		j := s >> 32 & mask
		for x.slots[j] != 0 {
			j = (j + 1) & mask
		}
		x.slots[j] = s
	}
	x.moved = end
	if end == len(x.old) {
		x.old, x.moved = nil, 0
	}
}

// settle moves every key still indexed in old only.
func (x *keyIndex[K]) settle() {
	if x.old != nil {
		x.move(len(x.old) - x.moved)
	}
}

// remove drops the key at table index j (as find returned it): in old, a
// tombstone (see keyIndex); in slots, moving later slots of its probe run
// back so that every key stays reachable from its home (deletion by
// backward shift).
func (x *keyIndex[K]) remove(j uint64) {
	x.n--
	if j&inOld != 0 {
		x.old[j&^inOld] = tomb
		x.move(movesPerOp)
		return
	}
	x.unindex(j)
	if x.old != nil {
		x.move(movesPerOp)
	}
}

// unindex empties index j of slots by backward shift.
func (x *keyIndex[K]) unindex(j uint64) {
	mask := uint64(len(x.slots) - 1)
	for {
		x.slots[j] = 0
		k := j
		for {
			k = (k + 1) & mask
			s := x.slots[k]
			if s == 0 {
				return
			}
			h := s >> 32 & mask
			// s may move to j unless its home lies cyclically in (j, k]
			if (j < k && (h <= j || h > k)) || (j > k && h <= j && h > k) {
				x.slots[j] = s
				j = k
				break
			}
		}
	}
}
