package connector

import "strings"

// Header is one header of a record (Kafka).
type Header struct {
	Key   string
	Value []byte
}

// The metadata of a batch's records beyond Offsets, LineNos and
// Partitions, filled by the sources that have it (Kafka); each nil or one
// element per line.
type recordMeta struct {
	Keys       [][]byte   // the record's key; nil: none
	Timestamps []int64    // µs since the Unix epoch
	Headers    [][]Header // the record's headers
}

// MetaInt64 is integer metadata of line i for a metadata column
// (`METADATA FROM 'offset'`): "offset" (a file's byte offset, a Kafka
// record's offset, a PostgreSQL change's LSN, also as "lsn"), "line",
// "partition". ok is false when the source has none.
func (b *LineBatch) MetaInt64(key string, i int) (v int64, ok bool) {
	switch key {
	case "offset", "lsn":
		if i < len(b.Offsets) {
			return b.Offsets[i], true
		}
	case "line":
		if i < len(b.LineNos) && b.LineNos[i] > 0 {
			return b.LineNos[i], true
		}
	case "partition":
		if i < len(b.Partitions) {
			return int64(b.Partitions[i]), true
		}
	}
	return 0, false
}

// MetaBytes is text metadata of line i: "key" (a Kafka record's key) or
// "header.<name>" (the last header of that name); ok is false when the
// record has none.
func (b *LineBatch) MetaBytes(key string, i int) (v []byte, ok bool) {
	if key == "key" {
		if i < len(b.Keys) && b.Keys[i] != nil {
			return b.Keys[i], true
		}
		return nil, false
	}
	name, isHeader := strings.CutPrefix(key, "header.")
	if !isHeader || i >= len(b.Headers) {
		return nil, false
	}
	for j := len(b.Headers[i]) - 1; j >= 0; j-- {
		if h := b.Headers[i][j]; h.Key == name {
			return h.Value, true
		}
	}
	return nil, false
}

// MetaTimestamp is the timestamp of line i (a Kafka record's, µs); ok is
// false when the source has none.
func (b *LineBatch) MetaTimestamp(key string, i int) (v int64, ok bool) {
	if key == "timestamp" && i < len(b.Timestamps) {
		return b.Timestamps[i], true
	}
	return 0, false
}

// appendMeta copies line i's metadata of src to the end of b's.
func (b *LineBatch) appendMeta(src *LineBatch, i int) {
	if i < len(src.Keys) {
		b.Keys = append(b.Keys, src.Keys[i])
	}
	if i < len(src.Timestamps) {
		b.Timestamps = append(b.Timestamps, src.Timestamps[i])
	}
	if i < len(src.Headers) {
		b.Headers = append(b.Headers, src.Headers[i])
	}
}
