package connector

import (
	"strings"
	"testing"
)

func readChanges(t *testing.T, format, input string, maxLines int) (rows []string, rejected []Rejected) {
	t.Helper()
	s := NewChangeSource(NewReaderSource(strings.NewReader(input), "test"), format)
	var b LineBatch
	for {
		more, err := s.Next(&b, maxLines)
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range b.Lines {
			w := "+"
			if b.RowWeight([]int32{int32(i)}, 0) < 0 {
				w = "-"
			}
			rows = append(rows, w+string(l)+"@"+string(rune('0'+b.LineNos[i])))
		}
		for _, r := range b.Rejected {
			r.Record = append([]byte(nil), r.Record...)
			rejected = append(rejected, r)
		}
		if !more {
			return rows, rejected
		}
	}
}

// TestChangelogFormat: "_op" gives each row its weight; a row without one
// is an insertion; a bad op is rejected with its line.
func TestChangelogFormat(t *testing.T) {
	in := `{"id":1,"_op":"+"}
{"_op":"-","id":1}
{"id":2}
{"id":3,"_op":"x"}
{"id":4,"_op":"-D"}
`
	for _, n := range []int{1, 2, 100} {
		rows, rej := readChanges(t, "changelog", in, n)
		want := `+{"id":1,"_op":"+"}@1 -{"_op":"-","id":1}@2 +{"id":2}@3 -{"id":4,"_op":"-D"}@5`
		if got := strings.Join(rows, " "); got != want {
			t.Fatalf("batches of %d: %s\nwant %s", n, got, want)
		}
		if len(rej) != 1 || rej[0].Line != 4 || !strings.Contains(rej[0].Err.Error(), `"_op" is "x"`) || rej[0].Partition != -1 {
			t.Fatalf("rejected %+v", rej)
		}
	}
}

// TestDebeziumFormat: create and snapshot read insert the after row, an
// update retracts before and inserts after, a delete retracts before; the
// schema/payload wrapper is unwrapped; tombstones are skipped; events that
// cannot be applied are rejected.
func TestDebeziumFormat(t *testing.T) {
	in := `{"before":null,"after":{"id":1,"v":"a"},"op":"c"}
{"schema":{},"payload":{"before":{"id":1,"v":"a"},"after":{"id":1,"v":"b"},"op":"u"}}

{"before":{"id":1,"v":"b"},"after":null,"op":"d"}
null
{"before":null,"after":{"id":2},"op":"r"}
{"before":null,"after":{"id":3},"op":"u"}
{"op":"t"}
not json
`
	for _, n := range []int{1, 3, 100} {
		rows, rej := readChanges(t, "debezium", in, n)
		want := `+{"id":1,"v":"a"}@1 -{"id":1,"v":"a"}@2 +{"id":1,"v":"b"}@2 -{"id":1,"v":"b"}@4 +{"id":2}@6`
		if got := strings.Join(rows, " "); got != want {
			t.Fatalf("batches of %d: %s\nwant %s", n, got, want)
		}
		if len(rej) != 3 || rej[0].Line != 7 || !strings.Contains(rej[0].Err.Error(), `"before"`) ||
			rej[1].Line != 8 || rej[2].Line != 9 || string(rej[2].Record) != "not json" {
			t.Fatalf("rejected %+v", rej)
		}
	}
}
