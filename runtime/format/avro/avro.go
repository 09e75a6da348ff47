// Package avro reads Avro records in the schema registry's wire format
// (Confluent's: a zero byte, the writer schema's 4-byte big-endian id, the
// Avro binary encoding of the record) as JSON rows for the generated JSON
// decoder. It lives in a package of its own so that only jobs whose SQL
// names format = 'avro' link github.com/hamba/avro: generated code imports
// it, its init registers the format.
package avro

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hamba/avro/v2"
	"github.com/laminar-sql/laminar/runtime/connector"
	"github.com/laminar-sql/laminar/runtime/format/jsonl"
)

func init() { connector.RegisterFormat("avro", open) }

// registry fetches writer schemas by id, once each.
type registry struct {
	env     connector.Env
	base    string
	user    string
	pass    string
	client  *http.Client
	mu      sync.Mutex
	schemas map[uint32]avro.Schema
}

func open(env connector.Env, options map[string]string) (connector.Transcoder, error) {
	base := strings.TrimRight(options["schema_registry"], "/")
	if base == "" {
		return nil, errors.New("format avro needs the option schema_registry (the schema registry's URL)")
	}
	if _, err := url.Parse(base); err != nil {
		return nil, fmt.Errorf("schema_registry: %w", err)
	}
	r := &registry{env: env, base: base, client: &http.Client{Timeout: 10 * time.Second}, schemas: map[uint32]avro.Schema{},
		user: options["schema_registry_username"]}
	if name := options["schema_registry_password_env"]; name != "" {
		r.pass = os.Getenv(name)
	}
	return r.transcode, nil
}

// schema is the writer schema of id, from the registry; a registry away
// is retried with a backoff growing to 5 s, for up to 5 minutes, reported.
func (r *registry) schema(id uint32) (avro.Schema, error) {
	r.mu.Lock()
	s, ok := r.schemas[id]
	r.mu.Unlock()
	if ok {
		return s, nil
	}
	wait := 100 * time.Millisecond
	for began := time.Now(); ; {
		s, retry, err := r.fetch(id)
		if err == nil {
			r.mu.Lock()
			r.schemas[id] = s
			r.mu.Unlock()
			return s, nil
		}
		if !retry || time.Since(began) > 5*time.Minute {
			return nil, err
		}
		r.env.Log("avro: schema registry %s: %v; retrying in %v", r.base, err, wait)
		time.Sleep(wait)
		wait = min(2*wait, 5*time.Second)
	}
}

func (r *registry) fetch(id uint32) (s avro.Schema, retry bool, err error) {
	req, err := http.NewRequest("GET", r.base+"/schemas/ids/"+strconv.FormatUint(uint64(id), 10), nil)
	if err != nil {
		return nil, false, err
	}
	req.Header.Set("Accept", "application/vnd.schemaregistry.v1+json")
	if r.user != "" {
		req.SetBasicAuth(r.user, r.pass)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, true, err // the registry is away
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, true, err
	}
	if resp.StatusCode >= 500 {
		return nil, true, fmt.Errorf("schema %d: %s", id, resp.Status)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, false, fmt.Errorf("schema %d: %s", id, resp.Status)
	}
	var out struct {
		Schema     string `json:"schema"`
		SchemaType string `json:"schemaType"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, false, fmt.Errorf("schema %d: %w", id, err)
	}
	if out.SchemaType != "" && out.SchemaType != "AVRO" {
		return nil, false, fmt.Errorf("schema %d is %s, not AVRO", id, out.SchemaType)
	}
	s, err = avro.Parse(out.Schema)
	if err != nil {
		return nil, false, fmt.Errorf("schema %d: %w", id, err)
	}
	return s, false, nil
}

// transcode appends the JSON row of one wire-format record to dst.
func (r *registry) transcode(dst, record []byte) ([]byte, error) {
	if len(record) < 5 || record[0] != 0 {
		return nil, errors.New("not an Avro record of the schema registry's wire format (magic byte 0, schema id)")
	}
	s, err := r.schema(binary.BigEndian.Uint32(record[1:5]))
	if err != nil {
		return nil, err
	}
	if s.Type() != avro.Record {
		return nil, fmt.Errorf("schema %d is a %s, not a record", binary.BigEndian.Uint32(record[1:5]), s.Type())
	}
	var row map[string]any
	if err := avro.Unmarshal(s, record[5:], &row); err != nil {
		return nil, fmt.Errorf("avro: %w", err)
	}
	return appendJSON(dst, row)
}

// appendJSON writes a decoded Avro value as JSON: a record's fields in
// name order, timestamps as RFC 3339 text (what a TIMESTAMP column reads),
// decimals as numbers, bytes as base64 text, a union's branch as its value.
func appendJSON(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int32:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case float32:
		return appendFloat(b, float64(v)), nil
	case float64:
		return appendFloat(b, v), nil
	case string:
		return jsonl.AppendString(b, v), nil
	case []byte:
		return jsonl.AppendString(b, base64.StdEncoding.EncodeToString(v)), nil
	case time.Time:
		return jsonl.AppendString(b, v.UTC().Format(time.RFC3339Nano)), nil
	case time.Duration:
		return strconv.AppendInt(b, v.Microseconds(), 10), nil
	case *big.Rat:
		return append(b, v.FloatString(18)...), nil
	case map[string]any:
		if len(v) == 1 { // a union's branch: {"type": value}, unless a record of one field
			for k, x := range v {
				if isUnionBranchName(k) {
					return appendJSON(b, x)
				}
			}
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(jsonl.AppendString(b, k), ':')
			var err error
			if b, err = appendJSON(b, v[k]); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	case []any:
		b = append(b, '[')
		for i, x := range v {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendJSON(b, x); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	}
	return nil, fmt.Errorf("avro value of Go type %T", v)
}

// isUnionBranchName tells the key hamba gives an unresolved union branch:
// a primitive type's name or a logical one's "type.logicalType".
func isUnionBranchName(k string) bool {
	switch k {
	case "null", "boolean", "int", "long", "float", "double", "bytes", "string":
		return true
	}
	return strings.Contains(k, ".")
}

func appendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return jsonl.AppendString(b, strconv.FormatFloat(f, 'g', -1, 64))
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64)
}
