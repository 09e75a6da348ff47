//go:build !purego

package csvrow

// sepMasks sets masks[k] to the commas of b[16k:16k+16], bit i for byte
// 16k+i, and reports whether b has a '"': sepMasksGeneric sixteen bytes a
// step with SSE2, which every amd64 has (sep_amd64.s). b must have 16
// bytes at least and masks (len(b)+15)/16 elements.
//
//go:noescape
func sepMasks(b []byte, masks []uint16) (quote bool)
