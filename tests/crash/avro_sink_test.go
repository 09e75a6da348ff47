package crash

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestKafkaAvroSinkRoundTrip: from SQL alone, a JSON topic aggregated into
// an upsert sink in format avro (keyed by the view's GROUP BY column,
// which the SQL does not repeat), its schema registered under
// totals-value; a second job reads the topic back in format avro: its
// last row per key is the batch answer.
func TestKafkaAvroSinkRoundTrip(t *testing.T) {
	skipShortSerial(t)
	var mu sync.Mutex
	var schemas []string
	subjects := map[string]int{}
	reg := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "application/vnd.schemaregistry.v1+json")
		switch {
		case r.Method == "POST" && strings.HasPrefix(r.URL.Path, "/subjects/"):
			body, _ := io.ReadAll(r.Body)
			var in struct{ Schema string }
			json.Unmarshal(body, &in)
			id := slices.Index(schemas, in.Schema) + 1
			if id == 0 {
				schemas = append(schemas, in.Schema)
				id = len(schemas)
			}
			subjects[strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/subjects/"), "/versions")] = id
			json.NewEncoder(w).Encode(map[string]int{"id": id})
		case r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/schemas/ids/"):
			id, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/schemas/ids/"))
			if id < 1 || id > len(schemas) {
				http.NotFound(w, r)
				return
			}
			json.NewEncoder(w).Encode(map[string]string{"schema": schemas[id-1]})
		default:
			http.NotFound(w, r)
		}
	}))
	defer reg.Close()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, "trades"), kfake.SeedTopics(1, "totals"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	brokers := strings.Join(c.ListenAddrs(), ",")
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]int64{}
	for i := range 60 {
		sym := string(rune('a' + i%4))
		qty := int64(i%7 + 1)
		w := want[sym]
		want[sym] = [2]int64{w[0] + 1, w[1] + qty}
		v := `{"sym":"` + sym + `","qty":` + strconv.FormatInt(qty, 10) + `}`
		if err := cl.ProduceSync(context.Background(), &kgo.Record{Topic: "trades", Value: []byte(v)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	cl.Close()
	j := buildJob(t, `CREATE SOURCE tr (sym VARCHAR NOT NULL, qty BIGINT NOT NULL)
WITH (connector = 'kafka', topic = 'trades', brokers = '`+brokers+`', bounded = 'true');
CREATE MATERIALIZED VIEW totals AS SELECT sym, COUNT(*) AS n, SUM(qty) AS q FROM tr GROUP BY sym;
CREATE SINK out FROM totals WITH (connector = 'kafka', topic = 'totals', brokers = '`+brokers+`',
  format = 'avro', schema_registry = '`+reg.URL+`', mode = 'upsert');
`, false, nil)
	if out, err := j.command(t.TempDir(), true, 7, 1).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	mu.Lock()
	if subjects["totals-value"] != 1 {
		t.Errorf("subjects %v", subjects)
	}
	mu.Unlock()
	back := buildJob(t, `CREATE SOURCE t (sym VARCHAR NOT NULL, n BIGINT NOT NULL, q BIGINT, k VARCHAR METADATA FROM 'key')
WITH (connector = 'kafka', topic = 'totals', brokers = '`+brokers+`', bounded = 'true', format = 'avro', schema_registry = '`+reg.URL+`');
CREATE MATERIALIZED VIEW v AS SELECT k, sym, n, q FROM t;
CREATE SINK o FROM v WITH (connector = 'file', path = 'output.jsonl');
`, false, nil)
	dir := t.TempDir()
	if out, err := back.command(dir, false, 10, 1).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	last := map[string][2]int64{}
	for _, line := range strings.Split(strings.TrimSpace(readOutputs(t, dir)["output.jsonl"]), "\n") {
		var r struct {
			K, Sym string
			N, Q   int64
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(line, err)
		}
		if r.K != `["`+r.Sym+`"]` {
			t.Errorf("record key %s for row %s", r.K, line)
		}
		last[r.Sym] = [2]int64{r.N, r.Q}
	}
	if len(last) != len(want) {
		t.Fatalf("last rows per key %v, want %v", last, want)
	}
	for k, w := range want {
		if last[k] != w {
			t.Errorf("%s: last row %v, want %v", k, last[k], w)
		}
	}
}
