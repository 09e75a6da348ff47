package jsonl

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/laminar-sql/laminar/runtime/format/jsonl/internal/baseline"
	"github.com/laminar-sql/laminar/runtime/nexmark"
)

// bidLines are Nexmark bids as the harness writes them for the file-fed
// runs and for eKuiper: one JSON object a line, about 250 bytes each.
func bidLines(tb testing.TB, n int) (lines [][]byte, size int64) {
	tb.Helper()
	g, err := nexmark.NewGenerator(nexmark.Config{Events: int64(n) * 50, Rate: 10_000_000, Seed: 1})
	if err != nil {
		tb.Fatal(err)
	}
	type bidJSON struct {
		EventType int    `json:"event_type"`
		Auction   int64  `json:"auction"`
		Bidder    int64  `json:"bidder"`
		Price     int64  `json:"price"`
		Channel   string `json:"channel"`
		URL       string `json:"url"`
		DateTime  int64  `json:"dateTime"`
		Extra     string `json:"extra"`
	}
	var ev nexmark.Event
	for len(lines) < n && g.Next(&ev) {
		if ev.Kind != nexmark.KindBid {
			continue
		}
		b := ev.Bid
		line, err := json.Marshal(bidJSON{2, b.Auction, b.Bidder, b.Price, b.Channel, b.URL, b.DateTime / 1000, b.Extra})
		if err != nil {
			tb.Fatal(err)
		}
		lines = append(lines, line)
		size += int64(len(line))
	}
	return lines, size
}

// q2Bid is what the q2 job's decoder fills: the columns it reads (auction,
// price, and dateTime for the watermark); the others are checked and skipped.
type q2Bid struct{ auction, price, dateTime int64 }

var errNull = errors.New("null")

// decodeQ2Bid has the shape of the decoder laminarc generates for q2's source.
func decodeQ2Bid(s *Scanner, line []byte, r *q2Bid) error {
	s.Reset(line)
	var seen [7]bool
	for k, ok := s.NextKey(); ok; k, ok = s.NextKey() {
		switch string(k) {
		case "auction":
			if s.ValueIsNull() {
				return errNull
			}
			seen[0] = true
			r.auction = s.Int64()
		case "bidder":
			if s.ValueIsNull() {
				return errNull
			}
			seen[1] = true
			s.Skip()
		case "price":
			if s.ValueIsNull() {
				return errNull
			}
			seen[2] = true
			r.price = s.Int64()
		case "channel":
			if s.ValueIsNull() {
				return errNull
			}
			seen[3] = true
			s.Skip()
		case "url":
			if s.ValueIsNull() {
				return errNull
			}
			seen[4] = true
			s.Skip()
		case "dateTime":
			if s.ValueIsNull() {
				return errNull
			}
			seen[5] = true
			r.dateTime = s.Timestamp()
		case "extra":
			if s.ValueIsNull() {
				return errNull
			}
			seen[6] = true
			s.Skip()
		default:
			s.Skip()
		}
	}
	if err := s.Err(); err != nil {
		return err
	}
	for _, ok := range seen {
		if !ok {
			return errNull
		}
	}
	return nil
}

// decodeQ2BidBaseline is decodeQ2Bid over the Scanner before word-at-a-time
// scanning.
func decodeQ2BidBaseline(s *baseline.Scanner, line []byte, r *q2Bid) error {
	s.Reset(line)
	var seen [7]bool
	for k, ok := s.NextKey(); ok; k, ok = s.NextKey() {
		switch string(k) {
		case "auction":
			if s.ValueIsNull() {
				return errNull
			}
			seen[0] = true
			r.auction = s.Int64()
		case "bidder":
			if s.ValueIsNull() {
				return errNull
			}
			seen[1] = true
			s.Skip()
		case "price":
			if s.ValueIsNull() {
				return errNull
			}
			seen[2] = true
			r.price = s.Int64()
		case "channel":
			if s.ValueIsNull() {
				return errNull
			}
			seen[3] = true
			s.Skip()
		case "url":
			if s.ValueIsNull() {
				return errNull
			}
			seen[4] = true
			s.Skip()
		case "dateTime":
			if s.ValueIsNull() {
				return errNull
			}
			seen[5] = true
			r.dateTime = s.Timestamp()
		case "extra":
			if s.ValueIsNull() {
				return errNull
			}
			seen[6] = true
			s.Skip()
		default:
			s.Skip()
		}
	}
	if err := s.Err(); err != nil {
		return err
	}
	for _, ok := range seen {
		if !ok {
			return errNull
		}
	}
	return nil
}

func TestQ2BidDecodersAgree(t *testing.T) {
	lines, _ := bidLines(t, 200)
	var s Scanner
	var old baseline.Scanner
	for _, line := range lines {
		var a, b q2Bid
		errA, errB := decodeQ2Bid(&s, line, &a), decodeQ2BidBaseline(&old, line, &b)
		if errA != nil || errB != nil || a != b {
			t.Fatalf("%s: new %+v %v, baseline %+v %v", line, a, errA, b, errB)
		}
	}
	// the generated decoder's shapes, before and after Ahead and TakeKey
	var cols, expect Scanner
	for _, line := range lines {
		var a, b, want q2Bid
		if err := decodeQ2BidBaseline(&old, line, &want); err != nil {
			t.Fatal(err)
		}
		errA, errB := decodeQ2BidCols(&cols, line, &a), decodeQ2BidExpect(&expect, line, &b)
		if errA != nil || errB != nil || a != want || b != want {
			t.Fatalf("%s: NextCol %+v %v, Ahead %+v %v, want %+v", line, a, errA, b, errB, want)
		}
	}
}

// BenchmarkDecodeBidsQ2 decodes bids as the q2 job does, with the Scanner
// and with its baseline, in the same run.
func BenchmarkDecodeBidsQ2(b *testing.B) {
	lines, size := bidLines(b, 1000)
	b.Run("scanner", func(b *testing.B) {
		var s Scanner
		var r q2Bid
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			for _, line := range lines {
				if err := decodeQ2Bid(&s, line, &r); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("baseline", func(b *testing.B) {
		var s baseline.Scanner
		var r q2Bid
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			for _, line := range lines {
				if err := decodeQ2BidBaseline(&s, line, &r); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

var q2Keys = NewKeys("auction", "bidder", "price", "channel", "url", "dateTime", "extra")

// decodeQ2BidCols has the shape of the decoder laminarc generated for
// q2's source before Ahead and TakeKey: NextCol alone.
func decodeQ2BidCols(s *Scanner, line []byte, r *q2Bid) error {
	s.Reset(line)
	var seen uint64
	for c, ok := s.NextCol(q2Keys); ok; c, ok = s.NextCol(q2Keys) {
		switch c {
		case 0:
			if s.ValueIsNull() {
				return errNull
			}
			seen |= 1 << 0
			r.auction = s.Int64()
		case 1:
			if !s.SkipNotNull() {
				return errNull
			}
			seen |= 1 << 1
		case 2:
			if s.ValueIsNull() {
				return errNull
			}
			seen |= 1 << 2
			r.price = s.Int64()
		case 3:
			if !s.SkipNotNull() {
				return errNull
			}
			seen |= 1 << 3
		case 4:
			if !s.SkipNotNull() {
				return errNull
			}
			seen |= 1 << 4
		case 5:
			if s.ValueIsNull() {
				return errNull
			}
			seen |= 1 << 5
			r.dateTime = s.Timestamp()
		case 6:
			if !s.SkipNotNull() {
				return errNull
			}
			seen |= 1 << 6
		default:
			s.Skip()
		}
	}
	if err := s.Err(); err != nil {
		return err
	}
	if seen != 0x7f {
		return errNull
	}
	return nil
}

// decodeQ2BidExpect has the shape of the decoder laminarc generates for
// q2's source: after a column, the key of the next one is tried first,
// with Ahead and TakeKey; anything else goes to NextCol.
func decodeQ2BidExpect(s *Scanner, line []byte, r *q2Bid) error {
	s.Reset(line)
	var seen uint64
decode:
	for c, ok := s.NextCol(q2Keys); ok; c, ok = s.NextCol(q2Keys) {
	next:
		switch c {
		case 0:
			if s.ValueIsNull() {
				return errNull
			}
			seen |= 1 << 0
			r.auction = s.Int64()
			if string(s.Ahead(10)) == `,"bidder":` {
				s.TakeKey(10)
				c = 1
				goto next
			}
		case 1:
			if !s.SkipNotNull() {
				return errNull
			}
			seen |= 1 << 1
			if string(s.Ahead(9)) == `,"price":` {
				s.TakeKey(9)
				c = 2
				goto next
			}
		case 2:
			if s.ValueIsNull() {
				return errNull
			}
			seen |= 1 << 2
			r.price = s.Int64()
			if string(s.Ahead(11)) == `,"channel":` {
				s.TakeKey(11)
				c = 3
				goto next
			}
		case 3:
			if !s.SkipNotNull() {
				return errNull
			}
			seen |= 1 << 3
			if string(s.Ahead(7)) == `,"url":` {
				s.TakeKey(7)
				c = 4
				goto next
			}
		case 4:
			if !s.SkipNotNull() {
				return errNull
			}
			seen |= 1 << 4
			if string(s.Ahead(12)) == `,"dateTime":` {
				s.TakeKey(12)
				c = 5
				goto next
			}
		case 5:
			if s.ValueIsNull() {
				return errNull
			}
			seen |= 1 << 5
			r.dateTime = s.Timestamp()
			if string(s.Ahead(9)) == `,"extra":` {
				s.TakeKey(9)
				c = 6
				goto next
			}
		case 6:
			if !s.SkipNotNull() {
				return errNull
			}
			seen |= 1 << 6
			if s.End() {
				break decode
			}
		default:
			s.Skip()
		}
	}
	if err := s.Err(); err != nil {
		return err
	}
	if seen != 0x7f {
		return errNull
	}
	return nil
}

// BenchmarkDecodeBidsQ2Gen decodes bids with the generated decoder's
// shape before Ahead and TakeKey (NextCol alone) and after (Ahead, TakeKey, End).
func BenchmarkDecodeBidsQ2Gen(b *testing.B) {
	lines, size := bidLines(b, 1000)
	for _, d := range []struct {
		name string
		f    func(*Scanner, []byte, *q2Bid) error
	}{{"nextcol", decodeQ2BidCols}, {"expect", decodeQ2BidExpect}} {
		b.Run(d.name, func(b *testing.B) {
			var s Scanner
			var r q2Bid
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				for _, line := range lines {
					if err := d.f(&s, line, &r); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
