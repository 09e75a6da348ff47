package avro

import (
	"encoding/binary"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/laminar-sql/laminar/runtime/connector"
)

// testRegistry is a small schema registry: POST /subjects/<s>/versions
// registers a schema (the same text twice: the same id), GET
// /schemas/ids/<id> returns one.
func testRegistry(t testing.TB) (url string, subjects func() map[string]int) {
	var mu sync.Mutex
	ids := map[string]int{}
	var schemas []string
	subj := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "application/vnd.schemaregistry.v1+json")
		switch {
		case r.Method == "POST" && strings.HasPrefix(r.URL.Path, "/subjects/") && strings.HasSuffix(r.URL.Path, "/versions"):
			body, _ := io.ReadAll(r.Body)
			var in struct{ Schema string }
			if err := json.Unmarshal(body, &in); err != nil || in.Schema == "" {
				http.Error(w, "bad schema", http.StatusUnprocessableEntity)
				return
			}
			id, ok := ids[in.Schema]
			if !ok {
				schemas = append(schemas, in.Schema)
				id = len(schemas)
				ids[in.Schema] = id
			}
			subj[strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/subjects/"), "/versions")] = id
			json.NewEncoder(w).Encode(map[string]int{"id": id})
		case r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/schemas/ids/"):
			var id int
			if err := json.Unmarshal([]byte(strings.TrimPrefix(r.URL.Path, "/schemas/ids/")), &id); err != nil || id < 1 || id > len(schemas) {
				http.NotFound(w, r)
				return
			}
			json.NewEncoder(w).Encode(map[string]string{"schema": schemas[id-1]})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() map[string]int {
		mu.Lock()
		defer mu.Unlock()
		out := map[string]int{}
		for k, v := range subj {
			out[k] = v
		}
		return out
	}
}

const testColumns = `[{"name":"g","type":"VARCHAR","nullable":false},{"name":"n","type":"BIGINT","nullable":false},
{"name":"avg","type":"DOUBLE","nullable":true},{"name":"ok","type":"BOOLEAN","nullable":true},
{"name":"ts","type":"TIMESTAMP","nullable":true},{"name":"_op","type":"VARCHAR","nullable":false}]`

// TestSinkRoundTrip: rows written in format avro register their schema
// under <topic>-value and read back through the source's transcoder as
// the same rows (NULLs, NaN, timestamps with microseconds included).
func TestSinkRoundTrip(t *testing.T) {
	reg, subjects := testRegistry(t)
	opts := map[string]string{"schema_registry": reg, "topic": "my-totals", ColumnsOption: testColumns}
	enc, err := openSink(connector.Env{}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := subjects(); got["my-totals-value"] != 1 || len(got) != 1 {
		t.Fatalf("subjects %v", got)
	}
	dec, err := open(connector.Env{}, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ in, out string }{
		{`{"g":"a","n":3,"avg":1.5,"ok":true,"ts":"2024-01-02T03:04:05.000006Z","_op":"+"}`,
			`{"_op":"+","avg":1.5,"g":"a","n":3,"ok":true,"ts":"2024-01-02T03:04:05.000006Z"}`},
		{`{"g":"","n":-9223372036854775808,"avg":null,"ok":null,"ts":null,"_op":"-"}`,
			`{"_op":"-","avg":null,"g":"","n":-9223372036854775808,"ok":null,"ts":null}`},
		{`{"g":"é\"x","n":0,"avg":"NaN","ok":false,"ts":"1969-12-31T23:59:59.999999Z","_op":"+"}`,
			`{"_op":"+","avg":"NaN","g":"é\"x","n":0,"ok":false,"ts":"1969-12-31T23:59:59.999999Z"}`},
	} {
		rec, err := enc(nil, []byte(c.in))
		if err != nil {
			t.Fatal(err)
		}
		if rec[0] != 0 || binary.BigEndian.Uint32(rec[1:5]) != 1 {
			t.Fatalf("wire prefix % x", rec[:5])
		}
		got, err := dec(nil, rec)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != c.out {
			t.Errorf("%s: read back %s, want %s", c.in, got, c.out)
		}
	}
	if _, err := enc(nil, []byte(`{"g":null,"n":1,"_op":"+"}`)); err == nil || !strings.Contains(err.Error(), "column g is NOT NULL") {
		t.Errorf("NULL in a NOT NULL column: %v", err)
	}
	// the same schema again (a restart): the same id
	if _, err := openSink(connector.Env{}, opts); err != nil {
		t.Fatal(err)
	}
	if got := subjects(); got["my-totals-value"] != 1 {
		t.Fatalf("subjects after a restart %v", got)
	}
	schema, _ := SchemaOf("my-totals", []column{{"g", "VARCHAR", false}, {"ts", "TIMESTAMP", true}})
	if want := `{"fields":[{"name":"g","type":"string"},{"name":"ts","type":["null",{"logicalType":"timestamp-micros","type":"long"}],"default":null}],"name":"my_totals","namespace":"laminar","type":"record"}`; schema != want {
		t.Errorf("schema %s\nwant   %s", schema, want)
	}
}

// TestSinkRegistryRefuses: a registry refusing the schema (409, an
// incompatible change) stops the sink with its answer.
func TestSinkRegistryRefuses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error_code":409,"message":"Schema being registered is incompatible"}`, http.StatusConflict)
	}))
	defer srv.Close()
	_, err := openSink(connector.Env{}, map[string]string{"schema_registry": srv.URL, "topic": "t", ColumnsOption: testColumns})
	if err == nil || !strings.Contains(err.Error(), "subject t-value") || !strings.Contains(err.Error(), "incompatible") {
		t.Fatal(err)
	}
}
