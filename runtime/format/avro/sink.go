package avro

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hamba/avro/v2"
	"github.com/laminar-sql/laminar/runtime/connector"
)

func init() { connector.RegisterSinkFormat("avro", openSink) }

// ColumnsOption is the option through which the compiler tells a sink in
// format 'avro' the view's columns and types (compiler/connectors).
const ColumnsOption = "laminar.columns"

type column struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Nullable bool   `json:"nullable"`
}

// sinkEncoder writes the JSON rows of a view as Avro records in the schema
// registry's wire format, under the schema derived from the view's columns
// and registered under the topic's value subject (Confluent's
// TopicNameStrategy: "<topic>-value").
type sinkEncoder struct {
	columns []column
	schema  avro.Schema
	prefix  [5]byte // magic byte 0, the schema id
}

// SchemaOf is the Avro schema of a row of columns: a record named after
// the topic, a field per column (BIGINT long, DOUBLE double, VARCHAR
// string, BOOLEAN boolean, TIMESTAMP long timestamp-micros), a nullable
// column a union with null, null first, defaulting to null.
func SchemaOf(topic string, columns []column) (string, error) {
	type field struct {
		Name    string `json:"name"`
		Type    any    `json:"type"`
		Default any    `json:"default,omitempty"`
	}
	var fields []json.RawMessage
	for _, c := range columns {
		var t any
		switch c.Type {
		case "BIGINT":
			t = "long"
		case "DOUBLE":
			t = "double"
		case "VARCHAR":
			t = "string"
		case "BOOLEAN":
			t = "boolean"
		case "TIMESTAMP":
			t = map[string]string{"type": "long", "logicalType": "timestamp-micros"}
		default:
			return "", fmt.Errorf("column %s is %s, which has no Avro type here", c.Name, c.Type)
		}
		var b []byte
		if c.Nullable {
			b, _ = json.Marshal(struct {
				Name    string `json:"name"`
				Type    []any  `json:"type"`
				Default any    `json:"default"`
			}{c.Name, []any{"null", t}, nil})
		} else {
			b, _ = json.Marshal(field{Name: c.Name, Type: t})
		}
		fields = append(fields, b)
	}
	b, _ := json.Marshal(map[string]any{"type": "record", "name": avroName(topic), "namespace": "laminar", "fields": fields})
	return string(b), nil
}

// avroName makes a topic's name an Avro name: [A-Za-z_][A-Za-z0-9_]*.
func avroName(topic string) string {
	var b strings.Builder
	for i, r := range topic {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '_', r >= '0' && r <= '9' && i > 0:
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

func openSink(env connector.Env, options map[string]string) (connector.Transcoder, error) {
	base := strings.TrimRight(options["schema_registry"], "/")
	if base == "" {
		return nil, errors.New("format avro needs the option schema_registry (the schema registry's URL)")
	}
	if _, err := url.Parse(base); err != nil {
		return nil, fmt.Errorf("schema_registry: %w", err)
	}
	var columns []column
	if err := json.Unmarshal([]byte(options[ColumnsOption]), &columns); err != nil || len(columns) == 0 {
		return nil, fmt.Errorf("format avro: the compiler did not pass the view's columns (%s)", ColumnsOption)
	}
	topic := options["topic"]
	text, err := SchemaOf(topic, columns)
	if err != nil {
		return nil, fmt.Errorf("format avro: %w", err)
	}
	schema, err := avro.Parse(text)
	if err != nil {
		return nil, fmt.Errorf("format avro: schema %s: %w", text, err)
	}
	r := &registry{env: env, base: base, client: &http.Client{Timeout: 10 * time.Second}, user: options["schema_registry_username"]}
	if name := options["schema_registry_password_env"]; name != "" {
		r.pass = os.Getenv(name)
	}
	subject := topic + "-value"
	var id uint32
	wait := 100 * time.Millisecond
	for began := time.Now(); ; {
		var retry bool
		id, retry, err = r.register(subject, text)
		if err == nil {
			break
		}
		if !retry || time.Since(began) > 5*time.Minute {
			return nil, fmt.Errorf("format avro: registering the schema under subject %s: %w", subject, err)
		}
		env.Log("avro: schema registry %s: %v; retrying in %v", base, err, wait)
		time.Sleep(wait)
		wait = min(2*wait, 5*time.Second)
	}
	e := &sinkEncoder{columns: columns, schema: schema}
	binary.BigEndian.PutUint32(e.prefix[1:], id)
	return e.encode, nil
}

// register posts the schema under subject and returns its id (the
// registry answers with the existing id for a schema it has).
func (r *registry) register(subject, schema string) (id uint32, retry bool, err error) {
	body, _ := json.Marshal(map[string]string{"schema": schema})
	req, err := http.NewRequest("POST", r.base+"/subjects/"+url.PathEscape(subject)+"/versions", bytes.NewReader(body))
	if err != nil {
		return 0, false, err
	}
	req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	req.Header.Set("Accept", "application/vnd.schemaregistry.v1+json")
	if r.user != "" {
		req.SetBasicAuth(r.user, r.pass)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return 0, true, err // the registry is away
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, true, err
	}
	if resp.StatusCode >= 500 {
		return 0, true, fmt.Errorf("%s", resp.Status)
	}
	if resp.StatusCode != http.StatusOK {
		// 409: incompatible with the subject's compatibility setting
		return 0, false, fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(out))
	}
	var got struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal(out, &got); err != nil || got.ID <= 0 || got.ID > math.MaxUint32 {
		return 0, false, fmt.Errorf("the registry's answer %q has no schema id", out)
	}
	return uint32(got.ID), false, nil
}

// encode appends the wire-format record of one JSON row to dst.
func (e *sinkEncoder) encode(dst, line []byte) ([]byte, error) {
	var row map[string]json.RawMessage
	if err := json.Unmarshal(line, &row); err != nil {
		return nil, fmt.Errorf("row %q: %w", line, err)
	}
	rec := make(map[string]any, len(e.columns))
	for _, c := range e.columns {
		raw, ok := row[c.Name]
		if !ok || string(raw) == "null" {
			if !c.Nullable {
				return nil, fmt.Errorf("row %q: column %s is NOT NULL and has no value", line, c.Name)
			}
			rec[c.Name] = nil
			continue
		}
		v, err := value(c.Type, raw)
		if err != nil {
			return nil, fmt.Errorf("row %q: column %s: %w", line, c.Name, err)
		}
		rec[c.Name] = v
	}
	body, err := avro.Marshal(e.schema, rec)
	if err != nil {
		return nil, fmt.Errorf("row %q: avro: %w", line, err)
	}
	dst = append(dst, e.prefix[:]...)
	return append(dst, body...), nil
}

// value is a JSON value the pipeline wrote for a column of type t, as the
// Go value hamba encodes.
func value(t string, raw json.RawMessage) (any, error) {
	switch t {
	case "BIGINT":
		return strconv.ParseInt(string(raw), 10, 64)
	case "DOUBLE":
		if raw[0] == '"' { // NaN, Infinity
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return nil, err
			}
			return strconv.ParseFloat(s, 64)
		}
		return strconv.ParseFloat(string(raw), 64)
	case "BOOLEAN":
		var b bool
		err := json.Unmarshal(raw, &b)
		return b, err
	case "VARCHAR":
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case "TIMESTAMP":
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		ts, err := time.Parse(time.RFC3339Nano, s)
		return ts.UTC(), err
	}
	return nil, fmt.Errorf("type %s has no Avro type here", t)
}
