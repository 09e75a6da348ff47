// Package keyhash holds what the runtime's open-addressing key tables
// (window.Groups, join's keyIndex) share: which keys may be hashed and
// compared as their bytes (PlainBytes), and the 64-bit hash step (Mix)
// that folds them a word at a time.
package keyhash

import (
	"math/bits"
	"reflect"
)

// PlainBytes reports whether == on values of t compares their bytes, each
// of which belongs to a field: integers, booleans, and arrays and structs
// of them without padding (no floats, whose +0 and -0 are equal and NaN is
// not, no pointers, strings or interfaces).
func PlainBytes(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	case reflect.Array:
		return PlainBytes(t.Elem())
	case reflect.Struct:
		var sum uintptr
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Name == "_" || !PlainBytes(f.Type) {
				return false
			}
			sum += f.Type.Size()
		}
		return sum == t.Size()
	}
	return false
}

// Mix is a 64-bit hash of x: the folded 128-bit product with an odd
// constant (as wyhash's), whose low bits (the tables' tags, and of them
// the slots) depend on every bit of x. It inlines; a key of several words
// hashes as Mix(Mix(w0^seed) ^ w1) and so on.
func Mix(x uint64) uint64 {
	hi, lo := bits.Mul64(x, 0x9e3779b97f4a7c15)
	return hi ^ lo
}
