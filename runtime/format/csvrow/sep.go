package csvrow

// sepMasksGeneric is sepMasks a byte at a time.
func sepMasksGeneric(b []byte, masks []uint16) (quote bool) {
	clear(masks[:(len(b)+15)/16])
	for i, c := range b {
		switch c {
		case ',':
			masks[i>>4] |= 1 << (i & 15)
		case '"':
			quote = true
		}
	}
	return quote
}
