package kafka

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/laminar-sql/laminar/runtime/connector"
	_ "github.com/laminar-sql/laminar/runtime/format/avro" // the avro format, source and sink
)

// schemaRegistry is a small schema registry (register and fetch by id).
func schemaRegistry(t *testing.T) string {
	var mu sync.Mutex
	var schemas []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case r.Method == "POST" && r.URL.Path == "/subjects/out-value/versions":
			body, _ := io.ReadAll(r.Body)
			var in struct{ Schema string }
			json.Unmarshal(body, &in)
			if i := slices.Index(schemas, in.Schema); i >= 0 {
				json.NewEncoder(w).Encode(map[string]int{"id": i + 1})
				return
			}
			schemas = append(schemas, in.Schema)
			json.NewEncoder(w).Encode(map[string]int{"id": len(schemas)})
		case r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/schemas/ids/"):
			id := strings.TrimPrefix(r.URL.Path, "/schemas/ids/")
			for i, s := range schemas {
				if id == string(rune('1'+i)) {
					json.NewEncoder(w).Encode(map[string]string{"schema": s})
					return
				}
			}
			http.NotFound(w, r)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestSinkAvroUpsert: an upsert sink in format avro writes wire-format
// Avro values (the schema registered under out-value) keyed by the view's
// key, a tombstone for a deletion; the Kafka source in format avro reads
// the rows back, and the tombstone goes to the dead letters with its offset.
func TestSinkAvroUpsert(t *testing.T) {
	brokers := cluster(t, map[string]int32{"out": 1})
	reg := schemaRegistry(t)
	cols := `[{"name":"page","type":"VARCHAR","nullable":false},{"name":"n","type":"BIGINT","nullable":false}]`
	s, err := openSink(connector.Env{}, map[string]string{"topic": "out", "brokers": brokers, "mode": "upsert", "key": "page",
		"format": "avro", "schema_registry": reg, "laminar.columns": cols}, false, "")
	if err != nil {
		t.Fatal(err)
	}
	rows := `{"page":"/","n":1,"_op":"+"}` + "\n" + `{"page":"/a","n":1,"_op":"+"}` + "\n"
	changes := `{"page":"/","n":1,"_op":"-"}` + "\n" + `{"page":"/","n":2,"_op":"+"}` + "\n" + `{"page":"/a","n":1,"_op":"-"}` + "\n"
	for _, p := range []string{rows, changes} {
		if err := s.Write([]byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	srcOpts := map[string]string{"topic": "out", "brokers": brokers, "bounded": "true", "format": "avro", "schema_registry": reg}
	inner, err := openSource(connector.Env{}, srcOpts, connector.Position{})
	if err != nil {
		t.Fatal(err)
	}
	src, err := connector.NewTranscodeSource(connector.Env{}, inner, "avro", srcOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var got []string
	var rejected []int64
	var b connector.LineBatch
	for {
		more, err := src.Next(&b, 10)
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range b.Lines {
			got = append(got, string(b.Keys[i])+"="+string(l))
		}
		for _, r := range b.Rejected {
			rejected = append(rejected, r.Offset)
		}
		if !more {
			break
		}
	}
	want := []string{`["/"]={"n":1,"page":"/"}`, `["/a"]={"n":1,"page":"/a"}`, `["/"]={"n":2,"page":"/"}`}
	if !slices.Equal(got, want) || !slices.Equal(rejected, []int64{3}) {
		t.Fatalf("read %q, rejected offsets %v\nwant %q and the tombstone at offset 3", got, rejected, want)
	}
	// Debezium change events stay JSON
	_, err = openSink(connector.Env{}, map[string]string{"topic": "out", "brokers": brokers, "mode": "debezium",
		"format": "avro", "schema_registry": reg, "laminar.columns": cols}, false, "")
	if err == nil || !strings.Contains(err.Error(), "mode = 'debezium' writes JSON change events") {
		t.Fatal(err)
	}
}
