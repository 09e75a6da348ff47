package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/compiler"
)

// borrowInput is JSON lines of bids whose strings the decoder reads in
// place (physical.Plan.Borrowed): plain ones of every length, ones with
// escapes (decoded into new memory), raw UTF-8 and invalid UTF-8, null
// channels, malformed records and records longer than maxRecord.
func borrowInput(n, maxRecord int, seed uint64) string {
	r := rand.New(rand.NewPCG(seed, 7))
	pieces := []string{`\"`, `\\`, `\n`, `\u00e9`, `\ud83d\ude00`, "é", "\xff", `\/`, `\t`}
	word := func(max int) string {
		var b strings.Builder
		for range r.IntN(max + 1) {
			if r.IntN(40) == 0 {
				b.WriteString(pieces[r.IntN(len(pieces))])
				continue
			}
			b.WriteByte(byte('a' + r.IntN(26)))
		}
		return b.String()
	}
	var b strings.Builder
	for i := range n {
		switch {
		case i%997 == 500:
			fmt.Fprintf(&b, `{"auction":%d,"price":1,"channel":"c","url":"u","dateTime":%d,"extra":"%s"}`+"\n", i, 1_000_000+i, strings.Repeat("x", maxRecord+r.IntN(3*maxRecord)))
			continue
		case i%701 == 300:
			fmt.Fprintf(&b, `{"auction":%d,"price":"no","extra":"%s"}`+"\n", i, word(20))
			continue
		}
		channel := `"` + word(12) + `"`
		if r.IntN(5) == 0 {
			channel = "null"
		}
		fmt.Fprintf(&b, `{"auction":%d,"price":%d,"channel":%s,"url":"https://e.com/%s","dateTime":%d,"extra":"%s"}`+"\n",
			i, r.IntN(1000), channel, word(30), 1_000_000+i, word(r.IntN(4)*60))
	}
	return b.String()
}

// TestBorrowedStringsSameOutput: a q0-shaped pipeline whose strings the
// decoder reads as views of the read buffer writes the same bytes to its
// sinks (JSON and CSV files) and dead letters at 1, 2 and 3 workers, one or
// two decoders and batch sizes 1, 7 and 1024 — buffers refilled at every
// size, lines with escapes, invalid UTF-8 and over-long lines — and those
// rows are the input's.
func TestBorrowedStringsSameOutput(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a job")
	}
	const maxRecord = 1200
	sql := `CREATE SOURCE bid (auction BIGINT NOT NULL, price BIGINT NOT NULL, channel VARCHAR, url VARCHAR NOT NULL,
  "dateTime" TIMESTAMP NOT NULL, extra VARCHAR NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '4' SECOND) WITH (connector = 'file', path = 'in.jsonl', format = 'json');
CREATE VIEW v AS SELECT auction, channel, "dateTime", extra FROM bid;
CREATE SINK o FROM v WITH (connector = 'file', path = 'o.jsonl', format = 'json');
CREATE VIEW w AS SELECT auction, UPPER(SUBSTRING(extra, 2, 5)) AS head, url FROM bid WHERE price % 3 <> 0 AND url LIKE '%a%';
CREATE SINK o2 FROM w WITH (connector = 'file', path = 'o2.csv', format = 'csv');
`
	in := borrowInput(6000, maxRecord, 1)
	dir, bin := buildPipeline(t, sql, map[string]string{"in.jsonl": in})
	// the case is the one this test is about: the strings are read in place
	res, diags := compiler.Compile("p.sql", "p", sql)
	if res == nil {
		t.Fatalf("compile: %v", diags)
	}
	if explain := compiler.Explain(res); !strings.Contains(explain, "strings read in place (views of the read buffer, no copy; every reader is done with them within the batch): channel, url, extra") {
		t.Fatalf("the pipeline's strings are not read in place:\n%s", explain)
	}
	files := []string{"o.jsonl", "o2.csv", "p.dead.jsonl"}
	var want map[string][]byte
	for _, workers := range []string{"1", "2", "3"} {
		for _, batch := range []string{"1", "7", "1024"} {
			decoders := []string{"1"}
			if workers == "1" {
				decoders = append(decoders, "2")
			}
			for _, dec := range decoders {
				at := fmt.Sprintf("--workers %s --batch-size %s --decoders %s", workers, batch, dec)
				for _, f := range files {
					os.Remove(filepath.Join(dir, f))
				}
				cmd := exec.Command(bin, "--base-dir", dir, "--quiet", "--workers", workers, "--batch-size", batch, "--decoders", dec,
					"--max-record-bytes", fmt.Sprint(maxRecord))
				cmd.Dir = dir
				cmd.Env = append(os.Environ(), "GOMAXPROCS=3")
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("%s: job: %v\n%s", at, err, out)
				}
				got := map[string][]byte{}
				for _, f := range files {
					data, err := os.ReadFile(filepath.Join(dir, f))
					if err != nil {
						t.Fatalf("%s: %v", at, err)
					}
					got[f] = data
				}
				if want == nil {
					want = got
					checkBorrowedRows(t, in, maxRecord, got["o.jsonl"])
					continue
				}
				for _, f := range files {
					if !bytes.Equal(got[f], want[f]) {
						t.Errorf("%s: %s differs from the first run's (%d bytes, want %d)", at, f, len(got[f]), len(want[f]))
					}
				}
			}
		}
	}
}

// checkBorrowedRows checks the rows of view v against the input, decoded
// by encoding/json (which replaces invalid UTF-8 as the decoder does).
func checkBorrowedRows(t *testing.T, in string, maxRecord int, out []byte) {
	t.Helper()
	type row struct {
		Auction int64   `json:"auction"`
		Price   any     `json:"price"`
		Channel *string `json:"channel"`
		Extra   string  `json:"extra"`
	}
	var want []row
	for _, line := range strings.Split(strings.TrimSuffix(in, "\n"), "\n") {
		var r row
		if len(line) > maxRecord || json.Unmarshal([]byte(line), &r) != nil {
			continue
		}
		if _, ok := r.Price.(float64); !ok {
			continue // malformed: dead-lettered
		}
		want = append(want, r)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(want) {
		t.Fatalf("%d rows out, want %d", len(lines), len(want))
	}
	for i, line := range lines {
		var r row
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("row %d: %v: %s", i, err, line)
		}
		w := want[i]
		if r.Auction != w.Auction || r.Extra != w.Extra || (r.Channel == nil) != (w.Channel == nil) || (r.Channel != nil && *r.Channel != *w.Channel) {
			t.Fatalf("row %d: %s, want auction %d extra %q channel %v", i, line, w.Auction, w.Extra, w.Channel)
		}
	}
}
