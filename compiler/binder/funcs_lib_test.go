package binder

import (
	"strings"
	"testing"
)

func TestFunctionLibraryErrors(t *testing.T) {
	for sql, want := range map[string]string{
		"SELECT REGEXP_LIKE(k, 'a(') AS r FROM t":                        "LDB-1002 REGEXP_LIKE pattern: error parsing regexp",
		"SELECT REGEXP_REPLACE(k, '(?<=a)b', 'x') AS r FROM t":           "LDB-1002 REGEXP_REPLACE pattern",
		"SELECT REGEXP_REPLACE(k, 'a', 'x', 'q') AS r FROM t":            "LDB-1002 REGEXP_REPLACE flag 'q'",
		"SELECT REGEXP_LIKE(k, k) AS r FROM t":                           "LDB-2007 the pattern of REGEXP_LIKE must be a constant string",
		"SELECT EXTRACT(FORTNIGHT FROM ts) AS e FROM t":                  "LDB-1002 EXTRACT: unknown field \"fortnight\"",
		"SELECT EXTRACT(YEAR FROM k) AS e FROM t":                        "LDB-2007 EXTRACT needs TIMESTAMP",
		"SELECT DATE_TRUNC('decade', ts) AS e FROM t":                    "LDB-1002 DATE_TRUNC: unknown unit",
		"SELECT TIMESTAMPADD(EON, 1, ts) AS e FROM t":                    "LDB-1002 TIMESTAMPADD: unknown unit \"EON\"",
		"SELECT TO_CHAR(ts, 'YYYY Q') AS e FROM t":                       "LDB-1002 TO_CHAR pattern \"YYYY Q\": unsupported letter \"Q\"",
		"SELECT TO_CHAR(ts, '\"Mon\" YYYY') AS e FROM t":                 "reads as a date field",
		"SELECT DATE_FORMAT(ts, 'yyyy G') AS e FROM t":                   "LDB-1002 DATE_FORMAT pattern \"yyyy G\": unsupported letter \"G\"",
		"SELECT k IS DISTINCT FROM ts AS d FROM t":                       "LDB-2007 IS DISTINCT FROM compares VARCHAR with TIMESTAMP",
		"SELECT GREATEST(k, v) AS g FROM t":                              "LDB-2007 GREATEST arguments mix VARCHAR and BIGINT",
		"SELECT TO_TIMESTAMP_LTZ(v, 2) AS g FROM t":                      "LDB-1002 TO_TIMESTAMP_LTZ's precision",
		"SELECT SPLIT_PART(k, ',') AS g FROM t":                          "LDB-2009",
		"SELECT CONCAT_WS(k) AS g FROM t":                                "LDB-2009 CONCAT_WS needs at least 2 arguments",
		"SELECT TRIM(BOTH 'x' FROM v) AS g FROM t":                       "LDB-2007 TRIM needs VARCHAR, not BIGINT",
		"SELECT TIMESTAMPDIFF(SECOND, ts, k) AS g FROM t":                "LDB-2007 TIMESTAMPDIFF needs TIMESTAMP",
		"SELECT NULLIF(v) AS g FROM t":                                   "LDB-2009",
		"SELECT POSITION(1 IN k) AS g FROM t":                            "LDB-2007 POSITION needs VARCHAR",
		"SELECT TO_TIMESTAMP(v, 'yyyy') AS g FROM t":                     "LDB-2009 TO_TIMESTAMP of a number",
		"SELECT LPAD(k, 'x') AS g FROM t":                                "LDB-2007 LPAD needs BIGINT",
		"SELECT INITCAP(k, k) AS g FROM t":                               "LDB-2009",
		"SELECT k FROM t WHERE EXTRACT(HOUR FROM ts) IS DISTINCT FROM 3": "",
	} {
		_, diags := bind(t, "CREATE VIEW b AS "+sql+";\nCREATE SINK o FROM b WITH (connector = 'stdout');")
		errs := strings.Join(errorsOf(diags), "\n")
		if want == "" && errs != "" || !strings.Contains(errs, want) {
			t.Errorf("%s\n: want %q, got %q", sql, want, errs)
		}
	}
}

func TestNotYetNamesTheConstruct(t *testing.T) {
	for sql, want := range map[string]string{
		"SELECT k, COUNT(*) AS c FROM t GROUP BY ROLLUP(k)": "LDB-4001 ROLLUP (GROUP BY ROLLUP) is not supported yet",
		"SELECT NOW() AS n FROM t":                          "LDB-4001 NOW is processing time",
		"SELECT CURRENT_TIMESTAMP AS n FROM t":              "LDB-4001 CURRENT_TIMESTAMP is processing time",
		"SELECT LISTAGG(k) AS n FROM t":                     "LDB-4001 LISTAGG is not supported yet",
		"SELECT UNIX_TIMESTAMP() AS n FROM t":               "LDB-4001 UNIX_TIMESTAMP is not supported",
	} {
		_, diags := bind(t, "CREATE VIEW b AS "+sql+";\nCREATE SINK o FROM b WITH (connector = 'stdout');")
		if errs := strings.Join(errorsOf(diags), "\n"); !strings.Contains(errs, want) {
			t.Errorf("%s\n: want %q, got %q", sql, want, errs)
		}
	}
	_, diags := bind(t, "CREATE VIEW b AS SELECT CAST(x AS DECIMAL(39, 2)) AS d FROM t;\nCREATE SINK o FROM b WITH (connector = 'stdout');")
	if errs := strings.Join(errorsOf(diags), "\n"); !strings.Contains(errs, "LDB-") || !strings.Contains(errs, "DECIMAL(39, 2) is not a valid type") {
		t.Errorf("DECIMAL(39, 2): %v", diags)
	}
}
