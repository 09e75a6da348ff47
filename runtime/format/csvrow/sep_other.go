//go:build !amd64 || purego

package csvrow

// sepMasks sets masks[k] to the commas of b[16k:16k+16], bit i for byte
// 16k+i, and reports whether b has a '"'. masks must have (len(b)+15)/16
// elements.
func sepMasks(b []byte, masks []uint16) (quote bool) { return sepMasksGeneric(b, masks) }
