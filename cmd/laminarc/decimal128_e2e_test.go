package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestWideDecimalEndToEnd: DECIMAL(38, s) columns read exactly from JSON,
// arithmetic and SUM/MIN/MAX/AVG in 128 bits, a lookup table with DECIMAL
// columns (and a DECIMAL key), and Go functions that take and return
// DECIMAL as its text; a product past 38 digits, a SUM past 38 digits and
// a Go function's result that is not a number fail their row or group
// (LDB-6005, dead letters, counted).
func TestWideDecimalEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a job")
	}
	files := map[string]string{
		"go.mod": "module example.com/decudfs\n\ngo 1.26\n",
		"udfs.go": `package decudfs

import "math/big"

// Tenfold is d × 10 with three digits after the point, through math/big.
func Tenfold(d string) string {
	r, ok := new(big.Rat).SetString(d)
	if !ok {
		panic("not a number: " + d)
	}
	return r.Mul(r, big.NewRat(10, 1)).FloatString(3)
}

// Junk returns text that is no number.
func Junk(d string) string { return "n/a" }
`,
		"in.jsonl": `{"k":"a","m":"12345678901234567890.125","id":"1"}
{"k":"a","m":-99999999999999999999.999,"id":2}
{"k":"b","m":"99999999999999999999999999999999999.999","id":1}
{"k":"b","m":0.001,"id":3}
`,
		"rates.csv": "id,rate,cap\n1,1.25,12345678901234567890.1234\n2,0.5,\n",
	}
	sql := `CREATE FUNCTION tenfold(d DECIMAL(38, 3)) RETURNS DECIMAL(38, 3) LANGUAGE GO AS 'example.com/decudfs.Tenfold';
CREATE FUNCTION junk(d DECIMAL(10, 2)) RETURNS DECIMAL(10, 2) LANGUAGE GO AS 'example.com/decudfs.Junk';
CREATE SOURCE s (k VARCHAR NOT NULL, m DECIMAL(38, 3), id DECIMAL(20, 0) NOT NULL) WITH (connector = 'file', path = 'in.jsonl');
CREATE TABLE rates (id DECIMAL(20, 0) NOT NULL, rate DECIMAL(10, 2), cap DECIMAL(30, 4)) WITH (connector = 'file', path = 'rates.csv', format = 'csv');
CREATE VIEW v AS SELECT s.k, s.m, s.m * r.rate AS scaled, r.cap, tenfold(s.m) AS t
  FROM s LEFT JOIN rates AS r ON s.id = r.id WHERE s.k = 'a';
CREATE SINK o FROM v WITH (connector = 'file', path = 'out.jsonl');
CREATE VIEW big AS SELECT k, m * 1000 AS x FROM s WHERE k = 'b';
CREATE SINK ob FROM big WITH (connector = 'file', path = 'big.jsonl');
CREATE VIEW a AS SELECT k, SUM(m) AS total, MIN(m) AS lo, MAX(m) AS hi, AVG(m) AS av FROM s GROUP BY k;
CREATE SINK oa FROM a WITH (connector = 'file', path = 'agg.jsonl');
CREATE VIEW j AS SELECT junk(CAST(m AS DECIMAL(10, 2))) AS j FROM s WHERE k = 'b';
CREATE SINK oj FROM j WITH (connector = 'file', path = 'junk.jsonl');
`
	dir, bin := buildPipeline(t, sql, files)
	cmd := exec.Command(bin, "--base-dir", dir, "--dead-letter", filepath.Join(dir, "dead.jsonl"))
	stderr, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("job: %v\n%s", err, stderr)
	}
	read := func(name string) string {
		b, _ := os.ReadFile(filepath.Join(dir, name))
		return string(b)
	}
	want := `{"k":"a","m":12345678901234567890.125,"scaled":15432098626543209862.65625,"cap":12345678901234567890.1234,"t":123456789012345678901.250}
{"k":"a","m":-99999999999999999999.999,"scaled":-49999999999999999999.99950,"cap":null,"t":-999999999999999999999.990}
`
	if got := read("out.jsonl"); got != want {
		t.Errorf("output\n%s\nwant\n%s", got, want)
	}
	// b's first m times 1000 has 39 digits: its row fails; 0.001 × 1000 does not
	if got := read("big.jsonl"); got != "{\"k\":\"b\",\"x\":1.000}\n" {
		t.Errorf("big.jsonl\n%s", got)
	}
	// b's SUM is 10^35 at scale 3: 39 digits, so b's group fails
	if got := read("agg.jsonl"); got != `{"k":"a","total":-87654321098765432109.874,"lo":-99999999999999999999.999,"hi":12345678901234567890.125,"av":-43827160549382720000,"_op":"+"}`+"\n" {
		t.Errorf("aggregates:\n%s", got)
	}
	// junk's text is no DECIMAL: both of b's rows fail (the first's CAST to
	// DECIMAL(10,2) is NULL, so junk is not called: NULL)
	if got := read("junk.jsonl"); got != "{\"j\":null}\n" {
		t.Errorf("junk.jsonl\n%s", got)
	}
	dead := read("dead.jsonl")
	if strings.Count(dead, "LDB-6005") != 3 || !strings.Contains(dead, `"view":"big"`) || !strings.Contains(dead, `"view":"j"`) ||
		!strings.Contains(dead, `"view":"a","error":"LDB-6005`) {
		t.Errorf("dead letters:\n%s", dead)
	}
	if !strings.Contains(string(stderr), "3 failed") {
		t.Errorf("the job's summary does not count the failed rows:\n%s", stderr)
	}
}
