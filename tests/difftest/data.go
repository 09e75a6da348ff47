// Package difftest checks laminarc against DuckDB: random rows and random
// window-aggregate queries, run as a finite stream by a compiled Laminar job
// and as a batch query by DuckDB, must give the same multiset of rows.
package difftest

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strconv"
	"time"
)

// Row is one input record. Pointers are nullable columns.
type Row struct {
	K  *string
	G  *int64
	X  *float64
	N  int64
	B  *bool
	TS int64 // µs since the Unix epoch
	// WM is the source's watermark just before this row arrived (µs): the
	// row is late for every window that ends at or before it.
	WM int64
}

// noWatermark is the watermark before the first row: nothing is late.
const noWatermark = math.MinInt64

// DataParams shape a data set.
type DataParams struct {
	Rows    int
	DelayUS int64   // the source's watermark delay
	LateP   float64 // chance that a row jumps back beyond the delay (late rows)
	LateUS  int64   // how far beyond the delay a late row may jump
}

// GenRows generates rows whose event times run forward with out-of-order
// jitter strictly within the watermark delay, so that none is late, except
// for a fraction p.LateP that jump further back.
func GenRows(r *rand.Rand, p DataParams) []Row {
	keyPool := []string{"a", "b", "c", "ab", "ba", "B", "xyz", ""}
	r.Shuffle(len(keyPool), func(i, j int) { keyPool[i], keyPool[j] = keyPool[j], keyPool[i] })
	keys := keyPool[:2+r.IntN(5)]
	nullP := []float64{0, 0.1, 0.3}[r.IntN(3)]
	// mean gap between rows: from dense (many rows per window) to sparse
	meanGap := []int64{20_000, 100_000, 400_000, 1_500_000}[r.IntN(4)]
	base := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC).UnixMicro() + r.Int64N(86_400_000_000)
	// most timestamps are whole milliseconds; some carry µs
	usPrecision := r.IntN(3) == 0

	rows := make([]Row, p.Rows)
	maxSeen := int64(noWatermark)
	clock := base
	for i := range rows {
		clock += r.Int64N(2 * meanGap)
		if !usPrecision {
			clock -= clock % 1000
		}
		ts := clock
		if p.DelayUS > 0 && r.IntN(3) == 0 {
			ts -= r.Int64N(p.DelayUS) // behind the newest row, but within the delay
		}
		if p.LateP > 0 && r.Float64() < p.LateP {
			ts -= p.DelayUS + r.Int64N(p.LateUS+1)
		}
		if !usPrecision {
			ts -= ts % 1000
		}
		if maxSeen != noWatermark && ts < maxSeen-p.DelayUS && p.LateP == 0 {
			ts = maxSeen - p.DelayUS // keep within bound after the rounding above
		}
		wm := int64(noWatermark)
		if maxSeen != noWatermark {
			wm = maxSeen - p.DelayUS
		}
		row := Row{N: r.Int64N(1001), TS: ts, WM: wm}
		if r.Float64() >= nullP {
			k := keys[r.IntN(len(keys))]
			row.K = &k
		}
		if r.Float64() >= nullP {
			g := r.Int64N(81) - 20
			row.G = &g
		}
		if r.Float64() >= nullP {
			// multiples of 1/4: sums and products are exact in float64
			x := float64(r.IntN(801)-400) / 4
			row.X = &x
		}
		if r.Float64() >= nullP/2 {
			b := r.IntN(2) == 0
			row.B = &b
		}
		rows[i] = row
		maxSeen = max(maxSeen, ts)
	}
	return rows
}

// WriteJSONL renders rows as JSON lines. A NULL is written as null or, at
// random, left out.
func WriteJSONL(r *rand.Rand, rows []Row) []byte {
	var buf bytes.Buffer
	omitNulls := r.IntN(2) == 0
	for _, row := range rows {
		buf.WriteByte('{')
		first := true
		field := func(name string, null bool, value func() []byte) {
			if null && omitNulls {
				return
			}
			if !first {
				buf.WriteByte(',')
			}
			first = false
			buf.WriteString(`"` + name + `":`)
			if null {
				buf.WriteString("null")
			} else {
				buf.Write(value())
			}
		}
		field("k", row.K == nil, func() []byte { b, _ := json.Marshal(*row.K); return b })
		field("g", row.G == nil, func() []byte { return strconv.AppendInt(nil, *row.G, 10) })
		field("x", row.X == nil, func() []byte { return strconv.AppendFloat(nil, *row.X, 'g', -1, 64) })
		field("n", false, func() []byte { return strconv.AppendInt(nil, row.N, 10) })
		field("b", row.B == nil, func() []byte { return strconv.AppendBool(nil, *row.B) })
		field("ts", false, func() []byte {
			return []byte(`"` + time.UnixMicro(row.TS).UTC().Format(time.RFC3339Nano) + `"`)
		})
		buf.WriteString("}\n")
	}
	return buf.Bytes()
}
