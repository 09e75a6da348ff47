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
	m map[string]string
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
