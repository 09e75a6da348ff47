package join

import (
	"hash/maphash"
	"reflect"
	"unsafe"

	"github.com/laminar-sql/laminar/runtime/internal/keyhash"
)

// keyIndex finds a side's key slots by key, for keys whose bytes are all of
// them (integers and booleans, no padding, floats, pointers or strings: a
// join on BIGINT or TIMESTAMP columns), in place of a map[K]uint32.
//
// Keys of one word keep the map (plainKey).
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
// The table doubles at a load of 3/4, at once (a slot's tag says where it
// goes, so no key is read or hashed again), and removes by backward shift,
// without tombstones.
type keyIndex[K comparable] struct {
	slots []uint64
	n     int
	words int // the key's size in 8-byte words
	seed  uint64
}

// plainKey reports whether keys of type K are compared by their bytes, all
// of which belong to a field, in whole 8-byte words, two or more
// (keyIndex's keys). A key of one word keeps the map, whose lookups of
// 8-byte keys have their own code (mapaccess2_fast64): through a keyIndex
// q20's and q5's joins took 1.1% and 4% more instructions.
func plainKey[K comparable]() bool {
	t := reflect.TypeFor[K]()
	return t.Size() >= 16 && t.Size()%8 == 0 && t.Size() <= 64 && keyhash.PlainBytes(t)
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
// index where the probe ended (an empty slot when k is not held).
func (x *keyIndex[K]) find(k K, keys []K) (slot uint32, ok bool, h, j uint64) {
	h = x.hash(&k)
	mask := uint64(len(x.slots) - 1)
	for j = h & mask; ; j = (j + 1) & mask {
		s := x.slots[j]
		if s == 0 {
			return 0, false, h, j
		}
		if s>>32 == h&0xffffffff {
			if i := uint32(s) - 1; keys[i] == k {
				return i, true, h, j
			}
		}
	}
}

// insert indexes key slot slot, of a key of hash h not held, at the empty
// table index j that find returned.
func (x *keyIndex[K]) insert(h, j uint64, slot uint32) {
	x.slots[j] = h<<32 | uint64(slot+1)
	x.n++
	if 4*x.n > 3*len(x.slots) {
		x.double()
	}
}

// double moves the index to a table twice the size. A slot's home is its
// tag's low bits, so the keys are not read.
func (x *keyIndex[K]) double() {
	old := x.slots
	x.slots = make([]uint64, 2*len(old))
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

// remove drops the key at table index j (as find returned it), moving
// later slots of its probe run back so that every key stays reachable from
// its home (deletion by backward shift).
func (x *keyIndex[K]) remove(j uint64) {
	x.n--
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
