package jsonl

const (
	// internMaxLen: longer strings are rarely repeated values such as
	// symbols or channel names, so they are not worth a map entry.
	internMaxLen = 64
	// internMaxEntries bounds the memory an Interner holds (at most about
	// 64K × 64 bytes of string data).
	internMaxEntries = 1 << 16
)

// Interner turns byte slices into strings, returning the same string for
// the same bytes, so that a low-cardinality VARCHAR column (symbols,
// channels) costs no allocation per event. Strings longer than 64 bytes are
// not interned. When 64K distinct strings are held, it forgets them all and
// starts over, which bounds its memory and lets it follow a set of values
// that drifts over time. The zero value is ready to use; an Interner is not
// safe for concurrent use.
type Interner struct {
	m    map[string]string
	cols []columnStats // per column of Column's callers
}

// Bytes returns a string equal to b.
func (in *Interner) Bytes(b []byte) string {
	if len(b) > internMaxLen {
		return string(b)
	}
	if s, ok := in.m[string(b)]; ok { // this conversion does not allocate
		return s
	}
	if in.m == nil {
		in.m = make(map[string]string)
	} else if len(in.m) >= internMaxEntries {
		clear(in.m)
	}
	s := string(b)
	in.m[s] = s
	return s
}

// Len is the number of strings held.
func (in *Interner) Len() int { return len(in.m) }

const (
	// internProbe is how many lookups of a column decide whether its
	// values repeat enough to be worth the map.
	internProbe = 1024
	// internMinHits: a column with fewer hits in a probe is copied
	// without lookups for the next internSkip values, then probed again.
	internMinHits = internProbe / 4
	internSkip    = 1 << 16
)

// columnStats tracks how often one column's values are found in the map.
type columnStats struct {
	lookups, hits int32 // in the current probe
	skip          int32 // values left to copy without a lookup
}

// Column returns a string equal to b, as Bytes does, for column col of a
// record (any small number that the caller keeps fixed per column). A
// column whose values rarely repeat (an id, a comment) skips the map for a
// while: interning unique strings only fills the map, evicts the values
// that do repeat, and costs a hash and an insert per value on top of the
// copy.
func (in *Interner) Column(col int, b []byte) string {
	if col >= len(in.cols) {
		in.cols = append(in.cols, make([]columnStats, col+1-len(in.cols))...)
	}
	st := &in.cols[col]
	if st.skip > 0 {
		st.skip--
		return string(b)
	}
	if len(b) > internMaxLen {
		return string(b)
	}
	st.lookups++
	if s, ok := in.m[string(b)]; ok {
		st.hits++
		in.endProbe(st)
		return s
	}
	in.endProbe(st)
	return in.Bytes(b)
}

func (in *Interner) endProbe(st *columnStats) {
	if st.lookups < internProbe {
		return
	}
	if st.hits < internMinHits {
		st.skip = internSkip
	}
	st.lookups, st.hits = 0, 0
}
