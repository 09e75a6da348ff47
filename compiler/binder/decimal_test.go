package binder

import (
	"strings"
	"testing"
)

// TestDecimalTypes: DECIMAL typing follows DuckDB's (each want is what
// DuckDB's typeof says, but for BIGINT, which DuckDB types INTEGER when a
// literal: DECIMAL(19,0) here for every BIGINT, as DuckDB types a BIGINT column).
func TestDecimalTypes(t *testing.T) {
	for expr, want := range map[string]string{
		"0.908":                                  "DECIMAL(4,3) NOT NULL",
		".5":                                     "DECIMAL(1,1) NOT NULL",
		"5.":                                     "DECIMAL(1,0) NOT NULL",
		"1e2":                                    "DOUBLE NOT NULL",
		"0.908 * v":                              "DECIMAL(23,3)",
		"1.25 + 10.5":                            "DECIMAL(5,2) NOT NULL",
		"1.5 - 0.25":                             "DECIMAL(4,2) NOT NULL",
		"1.5 + v":                                "DECIMAL(21,1)",
		"1.5 / 0.5":                              "DOUBLE NOT NULL",
		"1.5 % 0.4":                              "DECIMAL(2,1) NOT NULL",
		"1.5 * 1.5":                              "DECIMAL(4,2) NOT NULL",
		"99999999999999.9999 * 99999999.99":      "DECIMAL(18,6) NOT NULL",
		"1.5 + x":                                "DOUBLE",
		"ROUND(1.255, 2)":                        "DECIMAL(4,2) NOT NULL",
		"ROUND(1.255)":                           "DECIMAL(4,0) NOT NULL",
		"FLOOR(1.25)":                            "DECIMAL(3,0) NOT NULL",
		"CEIL(1.25)":                             "DECIMAL(3,0) NOT NULL",
		"ABS(-1.25)":                             "DECIMAL(3,2) NOT NULL",
		"TRUNC(1.255, 1)":                        "DECIMAL(4,1) NOT NULL",
		"CASE WHEN v > 0 THEN 1.5 ELSE 2.25 END": "DECIMAL(3,2) NOT NULL",
		"COALESCE(1.5, v)":                       "DECIMAL(20,1) NOT NULL",
		"CAST(x AS DECIMAL(10, 2))":              "DECIMAL(10,2)",
		"CAST(v AS DECIMAL)":                     "DECIMAL(18,3)",
		"CAST(v AS DECIMAL(25, 2))":              "DECIMAL(25,2)",
		"CAST(1.25 AS VARCHAR)":                  "VARCHAR NOT NULL",
		"CAST('1.5' AS NUMERIC(4, 1))":           "DECIMAL(4,1)",
		"CAST(1.5 AS BIGINT)":                    "BIGINT NOT NULL",
		"CAST(1.5 AS DOUBLE)":                    "DOUBLE NOT NULL",
		"1.5 < v":                                "BOOLEAN",
		"12345678901234567890.5":                 "DECIMAL(21,1) NOT NULL",
		"12345678901234567890.5 * 2.5":           "DECIMAL(23,2) NOT NULL",
		"CAST(1 AS DECIMAL(18, 2)) + 1.5":        "DECIMAL(18,2)",
		"CAST(1 AS DECIMAL(20, 2)) + 1.5":        "DECIMAL(21,2)",
		"CAST(CAST(1 AS DECIMAL(25, 2)) AS BIGINT)": "BIGINT",
	} {
		p, diags := bind(t, "CREATE VIEW b AS SELECT "+expr+" AS d FROM t;\nCREATE SINK o FROM b WITH (connector = 'stdout');")
		if errs := errorsOf(diags); len(errs) > 0 {
			t.Errorf("%s: %v", expr, errs)
			continue
		}
		if got := view(t, p, "b").Root.Schema()[0].Type.String(); got != want {
			t.Errorf("%s: %s, want %s", expr, got, want)
		}
	}
}

func TestDecimalAggregateTypes(t *testing.T) {
	p, diags := bind(t, `CREATE SOURCE d (k VARCHAR, m DECIMAL(10, 2), ts TIMESTAMP NOT NULL) WITH (connector = 'stdin');
CREATE VIEW b AS SELECT k, SUM(m) AS s, AVG(m) AS a, MIN(m) AS mn, MAX(m) AS mx, COUNT(m) AS c, STDDEV_POP(m) AS sd FROM d GROUP BY k;
CREATE SINK o FROM b WITH (connector = 'stdout');`)
	if errs := errorsOf(diags); len(errs) > 0 {
		t.Fatal(errs)
	}
	var got []string
	for _, c := range view(t, p, "b").Root.Schema() {
		got = append(got, c.Name+" "+c.Type.String())
	}
	want := "k VARCHAR, s DECIMAL(38,2), a DOUBLE, mn DECIMAL(10,2), mx DECIMAL(10,2), c BIGINT NOT NULL, sd DOUBLE"
	if strings.Join(got, ", ") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, ", "), want)
	}
}

func TestDecimalErrors(t *testing.T) {
	for sql, want := range map[string]string{
		"SELECT CAST(v AS DECIMAL(0, 0)) AS d FROM t":                  "DECIMAL(0, 0) is not a valid type",
		"SELECT CAST(v AS DECIMAL(5, 6)) AS d FROM t":                  "DECIMAL(5, 6) is not a valid type",
		"SELECT 123456789012345678901234567890123456789.5 AS d FROM t": "has more than 38 digits",
		"SELECT 1.5 || 'x' AS d FROM t":                                "operator || joins strings",
		"SELECT TRUNC(1.5, v) AS d FROM t":                             "TRUNC's digits must be a constant",
	} {
		_, diags := bind(t, "CREATE VIEW b AS "+sql+";\nCREATE SINK o FROM b WITH (connector = 'stdout');")
		if errs := strings.Join(errorsOf(diags), "\n"); !strings.Contains(errs, want) {
			t.Errorf("%s\n: want %q, got %q", sql, want, errs)
		}
	}
}
