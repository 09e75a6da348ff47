package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDecimalEndToEnd: DECIMAL columns read exactly from JSON (numbers and
// strings) and CSV, written with exactly their scale's digits, a record
// whose DECIMAL does not fit is malformed, arithmetic past 18 digits in a
// DECIMAL(18, s) (0.908 * m, as DuckDB types it) fails the row with
// LDB-6005 (dead letters), and a SUM, a DECIMAL(38, s), holds more. (A COALESCE whose first argument
// is never NULL but computed, with casts, used to leave an unused Go variable.)
func TestDecimalEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a job")
	}
	sql := `CREATE SOURCE s (k VARCHAR NOT NULL, m DECIMAL(18, 2), ts TIMESTAMP NOT NULL) WITH (connector = 'file', path = 'in.jsonl');
CREATE SOURCE c (k VARCHAR NOT NULL, m NUMERIC(6, 3)) WITH (connector = 'file', path = 'in.csv', format = 'csv');
CREATE VIEW v AS SELECT k, m, m * 100 AS h, 0.908 * m AS conv, CAST(m AS VARCHAR) AS s,
  COALESCE(COALESCE(1.25, m), m) AS co FROM s;
CREATE SINK o FROM v WITH (connector = 'file', path = 'out.jsonl');
CREATE VIEW a AS SELECT k, SUM(m) AS total, COUNT(*) AS n FROM s GROUP BY k;
CREATE SINK oa FROM a WITH (connector = 'file', path = 'agg.jsonl');
CREATE VIEW cv AS SELECT k, m + 1 AS m1 FROM c;
CREATE SINK oc FROM cv WITH (connector = 'file', path = 'csv.jsonl');
`
	in := `{"k":"a","m":1.5,"ts":0}
{"k":"a","m":"-0.005","ts":0}
{"k":"b","m":12345678901234567.99,"ts":0}
{"k":"c","m":1e30,"ts":0}
` + strings.Repeat(`{"k":"d","m":9999999999999999.99,"ts":0}
`, 10)
	csv := "k,m\nx,1.2345\ny,\nz,abc\n"
	dir, bin := buildPipeline(t, sql, map[string]string{"in.jsonl": in, "in.csv": csv})
	cmd := exec.Command(bin, "--base-dir", dir, "--dead-letter", filepath.Join(dir, "dead.jsonl"))
	stderr, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("job: %v\n%s", err, stderr)
	}
	out, _ := os.ReadFile(filepath.Join(dir, "out.jsonl"))
	want := `{"k":"a","m":1.50,"h":150.00,"conv":1.36200,"s":"1.50","co":1.25}
{"k":"a","m":-0.01,"h":-1.00,"conv":-0.00908,"s":"-0.01","co":1.25}
`
	if !strings.HasPrefix(string(out), want) {
		t.Errorf("output\n%s\nwant it to begin\n%s", out, want)
	}
	// b and c have more integer digits than DECIMAL(18,2) (malformed); d
	// times 0.908 has 21 digits at DECIMAL(18,5): each such row fails (LDB-6005)
	if strings.Contains(string(out), `"k":"b"`) || strings.Contains(string(out), `"k":"c"`) || strings.Contains(string(out), `"k":"d"`) {
		t.Errorf("a DECIMAL past its digits was written:\n%s", out)
	}
	// SUM is a DECIMAL(38, 2), as in DuckDB: ten times d's value (19
	// digits) is exact
	agg, _ := os.ReadFile(filepath.Join(dir, "agg.jsonl"))
	if !strings.Contains(string(agg), `{"k":"a","total":1.49,"n":2,"_op":"+"}`) || !strings.Contains(string(agg), `{"k":"d","total":99999999999999999.90,"n":10,"_op":"+"}`) {
		t.Errorf("aggregates\n%s", agg)
	}
	csvOut, _ := os.ReadFile(filepath.Join(dir, "csv.jsonl"))
	if string(csvOut) != "{\"k\":\"x\",\"m1\":2.235}\n{\"k\":\"y\",\"m1\":null}\n" {
		t.Errorf("CSV output\n%s", csvOut)
	}
	dead, _ := os.ReadFile(filepath.Join(dir, "dead.jsonl"))
	for _, w := range []string{"LDB-6005", `"view":"v"`, "out of range for DECIMAL(18,2)", `expected a number`} {
		if !strings.Contains(string(dead), w) {
			t.Errorf("dead letters lack %q:\n%s", w, dead)
		}
	}
}
