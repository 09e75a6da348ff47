package nexmarkdiff

import (
	"encoding/json"
	"testing"
)

func TestDiff(t *testing.T) {
	cols := []Column{{"k", Int}, {"x", Float}}
	tests := []struct {
		name              string
		want, got         []Row
		onlyWant, onlyGot int
	}{
		{"equal", []Row{{int64(1), 0.5}, {int64(1), 0.25}}, []Row{{int64(1), 0.25}, {int64(1), 0.5}}, 0, 0},
		{"float within tolerance", []Row{{int64(1), 1e6}}, []Row{{int64(1), 1e6 * (1 + 1e-12)}}, 0, 0},
		{"float beyond tolerance", []Row{{int64(1), 1e6}}, []Row{{int64(1), 1e6 * (1 + 1e-6)}}, 1, 1},
		{"multiplicity", []Row{{int64(1), 0.5}, {int64(1), 0.5}}, []Row{{int64(1), 0.5}}, 1, 0},
		{"exact column differs", []Row{{int64(1), 0.5}}, []Row{{int64(2), 0.5}}, 1, 1},
		{"NULL is not zero", []Row{{int64(1), nil}}, []Row{{int64(1), 0.0}}, 1, 1},
		{"NULLs match", []Row{{nil, nil}}, []Row{{nil, nil}}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, g := Diff(tt.want, tt.got, cols)
			if len(w) != tt.onlyWant || len(g) != tt.onlyGot {
				t.Errorf("Diff: %d only in want, %d only in got; want %d and %d", len(w), len(g), tt.onlyWant, tt.onlyGot)
			}
		})
	}
}

func TestParseLaminar(t *testing.T) {
	cols := []Column{{"a", Int}, {"ts", Timestamp}, {"s", String}, {"x", Float}}
	rows, err := ParseLaminar([]byte(`{"a":1,"ts":"2015-07-15T00:00:00.000001Z","s":null,"x":0.5}`+"\n"), cols)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0][0] != int64(1) || rows[0][1] != int64(1436918400000001) || rows[0][2] != nil || rows[0][3] != 0.5 {
		t.Errorf("got %#v", rows)
	}
	// an updating query's changes net to its table
	changes := `{"a":1,"ts":"2015-07-15T00:00:00Z","s":"x","x":1,"_op":"+"}
{"a":2,"ts":"2015-07-15T00:00:00Z","s":"x","x":1,"_op":"+"}
{"a":1,"ts":"2015-07-15T00:00:00Z","s":"x","x":1,"_op":"-"}
`
	if rows, err := ParseLaminar([]byte(changes), cols); err != nil || len(rows) != 1 || rows[0][0] != int64(2) {
		t.Errorf("netted %#v, %v; want the one row a=2", rows, err)
	}
	for _, bad := range []string{`{"a":1,"ts":"2015-07-15T00:00:00Z","s":"x","x":1,"_op":"-"}`, `{"a":1}`, `{"a":"one","ts":"2015-07-15T00:00:00Z","s":"x","x":1}`} {
		if _, err := ParseLaminar([]byte(bad), cols); err == nil {
			t.Errorf("ParseLaminar(%s) accepted it", bad)
		}
	}
	if _, err := normalize(json.Number("1.5"), Int); err == nil {
		t.Error("1.5 accepted as an Int")
	}
}
