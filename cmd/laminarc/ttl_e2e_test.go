package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/runtime/job"
)

// TestStateTTLJoin runs a LEFT join of orders with payments with
// state_ttl = '10s' at batch sizes 1, 7 and 1024: half of the payments come
// 30 seconds after their order, beyond the TTL. Its output (as a table) is
// what the documented rule gives — an order and a payment join only when
// the watermarks of their inputs when each arrived (its stamp) are within
// 10 seconds of each other — and differs from the exact join, built from
// the same SQL without the TTL, exactly in those orders, which keep their
// NULL-padded rows. Every row is either still held or counted as expired.
func TestStateTTLJoin(t *testing.T) {
	if testing.Short() {
		t.Skip("builds jobs")
	}
	dir := t.TempDir()
	t.Setenv("LAMINAR_CACHE", filepath.Join(dir, "cache"))
	const n = 60
	type pay struct{ oid, ts int64 } // ts in seconds
	var orders, pays strings.Builder
	var ps []pay
	for i := range int64(n) {
		fmt.Fprintf(&orders, `{"id":%d,"amount":%d,"ts":%d}`+"\n", i, 10*i, 1000*i)
		delay := int64(2)
		if i%2 == 1 {
			delay = 30
		}
		ps = append(ps, pay{i, i + delay})
	}
	for i := 1; i < len(ps); i++ { // by time
		for j := i; j > 0 && ps[j].ts < ps[j-1].ts; j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
	for _, p := range ps {
		fmt.Fprintf(&pays, `{"oid":%d,"paid":%d,"ts":%d}`+"\n", p.oid, 100+p.oid, 1000*p.ts)
	}
	os.WriteFile(filepath.Join(dir, "orders.jsonl"), []byte(orders.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "pays.jsonl"), []byte(pays.String()), 0o644)
	ddl := "CREATE SOURCE orders (id BIGINT NOT NULL, amount BIGINT, ts TIMESTAMP NOT NULL, WATERMARK FOR ts AS ts) WITH (connector = 'file', path = 'orders.jsonl');\n" +
		"CREATE SOURCE pays (oid BIGINT NOT NULL, paid BIGINT, ts TIMESTAMP NOT NULL, WATERMARK FOR ts AS ts) WITH (connector = 'file', path = 'pays.jsonl');\n"
	body := "SELECT o.id, o.amount, p.paid FROM orders AS o LEFT JOIN pays AS p ON o.id = p.oid;\nCREATE SINK s FROM j WITH (connector = 'file', path = 'out.jsonl');\n"
	build := func(name, sql string) string {
		p := filepath.Join(dir, name+".sql")
		os.WriteFile(p, []byte(sql), 0o644)
		bin := filepath.Join(dir, name)
		if code := run([]string{"build", p, "-o", bin}); code != exitOK {
			t.Fatalf("laminarc build %s exited %d", name, code)
		}
		return bin
	}
	exact := build("exact", ddl+"CREATE VIEW j AS "+body)
	ttl := build("ttl", ddl+"CREATE VIEW j WITH (state_ttl = '10s') AS "+body)

	// the rule: a row's stamp is its source's watermark before it (the
	// largest ts so far; none for the first row), and a pair joins when
	// either has none or they are at most 10 s apart
	orderStamp := func(i int64) int64 {
		if i == 0 {
			return math.MinInt64
		}
		return i - 1
	}
	payStamp := map[int64]int64{}
	for k, p := range ps {
		payStamp[p.oid] = math.MinInt64
		if k > 0 {
			payStamp[p.oid] = ps[k-1].ts
		}
	}
	want := map[string]int64{}
	wantExact := map[string]int64{}
	for i := range int64(n) {
		joined := fmt.Sprintf(`{"id":%d,"amount":%d,"paid":%d}`, i, 10*i, 100+i)
		wantExact[joined] = 1
		a, b := orderStamp(i), payStamp[i]
		if a == math.MinInt64 || b == math.MinInt64 || (a-b <= 10 && b-a <= 10) {
			want[joined] = 1
		} else {
			want[fmt.Sprintf(`{"id":%d,"amount":%d,"paid":null}`, i, 10*i)] = 1
		}
	}
	if len(want) != n || len(wantExact) != n {
		t.Fatal("the expected tables are wrong")
	}
	padded := 0
	for r := range want {
		if strings.Contains(r, "null") {
			padded++
		}
	}
	if padded < n/2-2 {
		t.Fatalf("only %d orders lose their payment to the TTL: the test shows nothing", padded)
	}
	for _, bs := range []string{"1", "7", "1024"} {
		for _, c := range []struct {
			bin  string
			want map[string]int64
		}{{exact, wantExact}, {ttl, want}} {
			summary := filepath.Join(dir, "summary.json")
			out, err := exec.Command(c.bin, "--base-dir", dir, "--batch-size", bs, "--quiet", "--summary-json", summary).CombinedOutput()
			if err != nil {
				t.Fatalf("%s: %v\n%s", c.bin, err, out)
			}
			data, _ := os.ReadFile(filepath.Join(dir, "out.jsonl"))
			got := table(t, string(data))
			if !equalTables(got, c.want) {
				t.Errorf("%s at batch size %s:\n%v\nwant\n%v", filepath.Base(c.bin), bs, got, c.want)
			}
			var s struct {
				Operators []job.OperatorStatus `json:"operators"`
			}
			data, _ = os.ReadFile(summary)
			if err := json.Unmarshal(data, &s); err != nil {
				t.Fatal(err)
			}
			j := s.Operators[len(s.Operators)-1]
			if c.bin == exact && (j.Expired != 0 || j.State != 2*n) {
				t.Errorf("the exact join holds %d rows, %d expired; want %d, 0", j.State, j.Expired, 2*n)
			}
			if c.bin == ttl && (j.Expired == 0 || j.Expired+j.State != 2*n) {
				t.Errorf("the TTL join holds %d rows and expired %d: want some expired, %d in all", j.State, j.Expired, 2*n)
			}
			if c.bin == ttl {
				var b strings.Builder
				if err := analyze(summary, 0, &b); err != nil {
					t.Fatal(err)
				}
				if want := fmt.Sprintf("%d (%d expired)", j.State, j.Expired); !strings.Contains(b.String(), want) {
					t.Errorf("explain --analyze does not show the join's state as %q:\n%s", want, b.String())
				}
			}
		}
	}
}

// table adds up a changelog's rows by weight ("_op" + or -), leaving out
// the rows that net to nothing.
func table(t *testing.T, changelog string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, line := range strings.Split(strings.TrimSpace(changelog), "\n") {
		row, op, ok := strings.Cut(line, `,"_op":"`)
		if !ok {
			t.Fatalf("not a changelog row: %s", line)
		}
		w := int64(1)
		if strings.HasPrefix(op, "-") {
			w = -1
		}
		if out[row+"}"] += w; out[row+"}"] == 0 {
			delete(out, row+"}")
		}
	}
	return out
}

func equalTables(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestStateTTLJoinOverChanges joins orders with a changelog of payments
// (insertions and retractions) with state_ttl = '10s': a retraction within
// the TTL retracts its joined row (the NULL-padded order is back), one
// whose row is older than the TTL retracts nothing (its joined row stays),
// and a payment stamped beyond the TTL of its order leaves the order
// padded — where the exact join (the same SQL without the TTL) differs.
func TestStateTTLJoinOverChanges(t *testing.T) {
	if testing.Short() {
		t.Skip("builds jobs")
	}
	dir := t.TempDir()
	t.Setenv("LAMINAR_CACHE", filepath.Join(dir, "cache"))
	// stamps (each source's watermark before the row): orders 98 none,
	// 1 0s, 2 1s, 3 2s, 50 3s; payments 99 none, +1 0s, -1 3s, +2 3s,
	// 60 5s, -2 100s, +3 100s
	os.WriteFile(filepath.Join(dir, "orders.jsonl"), []byte(`{"id":98,"ts":0}
{"id":1,"ts":1000}
{"id":2,"ts":2000}
{"id":3,"ts":3000}
{"id":50,"ts":100000}
`), 0o644)
	os.WriteFile(filepath.Join(dir, "pays.jsonl"), []byte(`{"oid":99,"paid":0,"ts":0,"_op":"+"}
{"oid":1,"paid":10,"ts":3000,"_op":"+"}
{"oid":1,"paid":10,"ts":3000,"_op":"-"}
{"oid":2,"paid":20,"ts":5000,"_op":"+"}
{"oid":60,"paid":0,"ts":100000,"_op":"+"}
{"oid":2,"paid":20,"ts":5000,"_op":"-"}
{"oid":3,"paid":30,"ts":101000,"_op":"+"}
`), 0o644)
	ddl := "CREATE SOURCE orders (id BIGINT NOT NULL, ts TIMESTAMP NOT NULL, WATERMARK FOR ts AS ts) WITH (connector = 'file', path = 'orders.jsonl');\n" +
		"CREATE SOURCE pays (oid BIGINT NOT NULL, paid BIGINT, ts TIMESTAMP NOT NULL, WATERMARK FOR ts AS ts) WITH (connector = 'file', path = 'pays.jsonl', format = 'changelog');\n"
	body := "SELECT o.id, p.paid FROM orders AS o LEFT JOIN pays AS p ON o.id = p.oid;\nCREATE SINK s FROM j WITH (connector = 'file', path = 'out.jsonl');\n"
	for _, c := range []struct {
		name, view string
		want       map[string]int64
	}{
		{"exact", "CREATE VIEW j AS ", map[string]int64{`{"id":98,"paid":null}`: 1, `{"id":1,"paid":null}`: 1, `{"id":2,"paid":null}`: 1,
			`{"id":3,"paid":30}`: 1, `{"id":50,"paid":null}`: 1}},
		{"ttl", "CREATE VIEW j WITH (state_ttl = '10s') AS ", map[string]int64{`{"id":98,"paid":null}`: 1, `{"id":1,"paid":null}`: 1, `{"id":2,"paid":20}`: 1,
			`{"id":3,"paid":null}`: 1, `{"id":50,"paid":null}`: 1}},
	} {
		p := filepath.Join(dir, c.name+".sql")
		os.WriteFile(p, []byte(ddl+c.view+body), 0o644)
		bin := filepath.Join(dir, c.name)
		if code := run([]string{"build", p, "-o", bin}); code != exitOK {
			t.Fatalf("laminarc build %s exited %d", c.name, code)
		}
		for _, bs := range []string{"1", "7", "1024"} {
			for range 3 { // the two sources interleave differently from run to run
				if out, err := exec.Command(bin, "--base-dir", dir, "--batch-size", bs, "--quiet").CombinedOutput(); err != nil {
					t.Fatalf("%s: %v\n%s", c.name, err, out)
				}
				data, _ := os.ReadFile(filepath.Join(dir, "out.jsonl"))
				if got := table(t, string(data)); !equalTables(got, c.want) {
					t.Errorf("%s at batch size %s:\n%v\nwant\n%v\nchangelog:\n%s", c.name, bs, got, c.want, data)
				}
			}
		}
	}
}
