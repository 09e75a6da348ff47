package crash

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

const avroSchema = `{"type":"record","name":"Trade","namespace":"t","fields":[
 {"name":"id","type":"long"},
 {"name":"name","type":["null","string"]},
 {"name":"amount","type":"double"},
 {"name":"ts","type":{"type":"long","logicalType":"timestamp-micros"}}]}`

// TestKafkaAvro: Avro records in the schema registry's wire format (the
// registry a small HTTP server here) read from Kafka as rows; a record
// that is not of the wire format and one of an unknown schema go to the
// dead letters with their partition and offset; the registry is asked once
// per schema.
func TestKafkaAvro(t *testing.T) {
	skipShortSerial(t)
	var asked atomic.Int32
	reg := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/schemas/ids/7" {
			http.NotFound(w, r)
			return
		}
		asked.Add(1)
		w.Header().Set("Content-Type", "application/vnd.schemaregistry.v1+json")
		b, _ := json.Marshal(map[string]string{"schema": avroSchema})
		w.Write(b)
	}))
	defer reg.Close()
	schema := avro.MustParse(avroSchema)
	wire := func(id uint32, v map[string]any) []byte {
		body, err := avro.Marshal(schema, v)
		if err != nil {
			t.Fatal(err)
		}
		return append(binary.BigEndian.AppendUint32([]byte{0}, id), body...)
	}
	at := time.Date(2024, 3, 4, 5, 6, 7, 890000000, time.UTC)
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "avro"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	brokers := strings.Join(c.ListenAddrs(), ",")
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers))
	if err != nil {
		t.Fatal(err)
	}
	values := [][]byte{
		wire(7, map[string]any{"id": int64(1), "name": "a\nb", "amount": 1.5, "ts": at}),
		[]byte(`{"id":2}`), // JSON, not the wire format
		wire(7, map[string]any{"id": int64(3), "name": nil, "amount": -2.0, "ts": at.Add(time.Second)}),
		wire(9, map[string]any{"id": int64(4), "name": "x", "amount": 0.0, "ts": at}), // unknown schema
	}
	for _, v := range values {
		if err := cl.ProduceSync(context.Background(), &kgo.Record{Topic: "avro", Value: v}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	cl.Close()
	j := buildJob(t, `CREATE SOURCE tr (id BIGINT NOT NULL, name VARCHAR, amount DOUBLE, ts TIMESTAMP NOT NULL)
WITH (connector = 'kafka', topic = 'avro', brokers = '`+brokers+`', format = 'avro', schema_registry = '`+reg.URL+`', bounded = 'true');
CREATE MATERIALIZED VIEW v AS SELECT id, name, amount, ts FROM tr;
CREATE SINK out FROM v WITH (connector = 'file', path = 'output.jsonl', format = 'json');
`, false, nil)
	dir := t.TempDir()
	if out, err := j.command(dir, true, 10, 1).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	got := readOutputs(t, dir)
	want := []string{`{"id":1,"name":"a\nb","amount":1.5,"ts":"2024-03-04T05:06:07.89Z"}`, `{"id":3,"name":null,"amount":-2,"ts":"2024-03-04T05:06:08.89Z"}`}
	if rows := sortedLines(got["output.jsonl"]); !slices.Equal(rows, want) {
		t.Fatalf("rows:\n%s\nwant\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
	dead := got["p.dead.jsonl"]
	if strings.Count(dead, "\n") != 2 || !strings.Contains(dead, `"partition":0,"offset":1`) || !strings.Contains(dead, "wire format") ||
		!strings.Contains(dead, `"offset":3`) || !strings.Contains(dead, "schema 9: 404") {
		t.Fatalf("dead letters:\n%s", dead)
	}
	if n := asked.Load(); n != 1 {
		t.Fatalf("the registry was asked %d times for schema 7", n)
	}
}
