package binder

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/laminar-sql/laminar/compiler/ast"
	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// The scalar function library beyond funcs.go and funcs_more.go: strings,
// regular expressions, comparisons, date and time. Each binds to a
// plan.Func that codegen/funcs_lib.go renders; a field or unit argument
// (EXTRACT, DATE_TRUNC, TIMESTAMPADD) is a constant first argument, checked
// here, so a row never switches on it.

func init() {
	for name, typer := range map[string]funcTyper{
		"TRIM": typeTrim, "LTRIM": typeTrim, "RTRIM": typeTrim,
		"REPLACE":    typeStrings("REPLACE", 3, types.String),
		"POSITION":   typeStrings("POSITION", 2, types.Int),
		"STRPOS":     typeStrings("POSITION", 2, types.Int),
		"INITCAP":    typeStrings("INITCAP", 1, types.String),
		"SPLIT_PART": typeSplitPart,
		"CONCAT":     typeConcat, "CONCAT_WS": typeConcat,
		"LPAD": typePad, "RPAD": typePad,
		"REGEXP_REPLACE": typeRegexpReplace, "REGEXP_LIKE": typeRegexpLike, "REGEXP": typeRegexpLike,
		"GREATEST": typeGreatest, "LEAST": typeGreatest,
		"NULLIF":           typeNullIf,
		"CHARACTER_LENGTH": typeString1(types.Int),
		"EXTRACT":          typeExtract, "DATE_PART": typeExtract,
		"YEAR": typeFieldFunc("YEAR"), "QUARTER": typeFieldFunc("QUARTER"), "MONTH": typeFieldFunc("MONTH"),
		"DAYOFMONTH": typeFieldFunc("DAY"), "DAYOFYEAR": typeFieldFunc("DOY"), "MINUTE": typeFieldFunc("MINUTE"),
		"SECOND": typeFieldFunc("SECOND"), "WEEK": typeFieldFunc("WEEK"),
		"DATE_TRUNC":    typeDateTrunc,
		"TO_CHAR":       typeToChar,
		"TIMESTAMPADD":  typeTimestampAdd,
		"TIMESTAMPDIFF": typeTimestampDiff,
		"TO_TIMESTAMP":  typeToTimestamp, "TO_TIMESTAMP_LTZ": typeToTimestampLTZ,
		"EPOCH": typeEpoch, "EPOCH_MS": typeEpoch, "EPOCH_US": typeEpoch, "MAKE_TIMESTAMP": typeEpoch,
		"FROM_UNIXTIME": typeFromUnixtime,
	} {
		scalarFuncs[name] = typer
	}
}

func strConst(s string) plan.Expr { return &plan.Const{Value: s, T: types.Of(types.String)} }
func intConst(v int64) plan.Expr  { return &plan.Const{Value: v, T: types.Of(types.Int)} }

// nullable tells whether any of the expressions may be NULL.
func nullable(args ...plan.Expr) bool {
	for _, a := range args {
		if a.Type().Nullable {
			return true
		}
	}
	return false
}

// wantAll checks that every argument has kind k (or is a bare NULL) and
// coerces them.
func (b *binder) wantAll(c *ast.Call, args []plan.Expr, k types.Kind) ([]plan.Expr, bool) {
	out := make([]plan.Expr, len(args))
	for i, a := range args {
		if !b.want(a, k, c.Args[i], c.Name) {
			return nil, false
		}
		out[i] = coerce(a, k)
	}
	return out, true
}

func typeStrings(name string, n int, result types.Kind) funcTyper {
	return func(b *binder, c *ast.Call, args []plan.Expr) plan.Expr {
		if !b.arity(c, args, n, n) {
			return nil
		}
		out, ok := b.wantAll(c, args, types.String)
		if !ok {
			return nil
		}
		return &plan.Func{Name: name, Args: out, T: types.Type{Kind: result, Nullable: nullable(out...)}}
	}
}

// typeTrim: TRIM/LTRIM/RTRIM(s [, characters]).
func typeTrim(b *binder, c *ast.Call, args []plan.Expr) plan.Expr {
	if !b.arity(c, args, 1, 2) {
		return nil
	}
	out, ok := b.wantAll(c, args, types.String)
	if !ok {
		return nil
	}
	return &plan.Func{Name: c.Name, Args: out, T: types.Type{Kind: types.String, Nullable: nullable(out...)}}
}

func typeSplitPart(b *binder, c *ast.Call, args []plan.Expr) plan.Expr {
	if !b.arity(c, args, 3, 3) {
		return nil
	}
	out, ok := b.wantAll(c, args[:2], types.String)
	if !ok || !b.want(args[2], types.Int, c.Args[2], c.Name) {
		return nil
	}
	out = append(out, coerce(args[2], types.Int))
	return &plan.Func{Name: "SPLIT_PART", Args: out, T: types.Type{Kind: types.String, Nullable: nullable(out...)}}
}

// typeConcat: CONCAT(a, …) leaves NULLs out (never NULL); CONCAT_WS(sep,
// a, …) is NULL only when sep is. Other types are cast to VARCHAR.
func typeConcat(b *binder, c *ast.Call, args []plan.Expr) plan.Expr {
	lo := 1
	if c.Name == "CONCAT_WS" {
		lo = 2
	}
	if len(args) < lo {
		b.diags.Errorf(diag.WrongArgCount, c.Pos, "%s needs at least %d arguments", c.Name, lo)
		return nil
	}
	out := make([]plan.Expr, len(args))
	for i, a := range args {
		if k := a.Type().Kind; k == types.String || k == types.Unknown {
			out[i] = coerce(a, types.String)
			continue
		}
		if out[i] = b.cast(a, types.String, c.Args[i].Position()); out[i] == nil {
			return nil
		}
	}
	t := types.Of(types.String)
	if c.Name == "CONCAT_WS" {
		t.Nullable = out[0].Type().Nullable
	}
	return &plan.Func{Name: c.Name, Args: out, T: t}
}

// typePad: LPAD/RPAD(s, n [, fill]), fill a space by default.
func typePad(b *binder, c *ast.Call, args []plan.Expr) plan.Expr {
	if !b.arity(c, args, 2, 3) || !b.want(args[0], types.String, c.Args[0], c.Name) || !b.want(args[1], types.Int, c.Args[1], c.Name) {
		return nil
	}
	fill := strConst(" ")
	if len(args) == 3 {
		if !b.want(args[2], types.String, c.Args[2], c.Name) {
			return nil
		}
		fill = coerce(args[2], types.String)
	}
	out := []plan.Expr{coerce(args[0], types.String), coerce(args[1], types.Int), fill}
	return &plan.Func{Name: c.Name, Args: out, T: types.Type{Kind: types.String, Nullable: nullable(out...)}}
}

// regexpArg compiles a constant pattern with its flags at compile time: a
// bad pattern is an error here, never a failing job. It returns the pattern
// as compiled (flags folded in) and whether 'g' was given.
func (b *binder) regexpArg(c *ast.Call, args []plan.Expr, pat, flags int, allowG bool) (string, bool, bool) {
	pattern, ok := b.constString(c, pat, args, "the pattern")
	if !ok {
		return "", false, false
	}
	global := false
	if flags < len(args) {
		f, ok := b.constString(c, flags, args, "the flags")
		if !ok {
			return "", false, false
		}
		for _, ch := range f {
			switch {
			case ch == 'g' && allowG:
				global = true
			case ch == 'i':
				pattern = "(?i)" + pattern
			case ch == 'c':
			case ch == 's':
				pattern = "(?s)" + pattern
			default:
				d := b.diags.Errorf(diag.BadLiteral, c.Args[flags].Position(), "%s flag %q is not supported", c.Name, ch)
				d.Hint = "flags: i (ignore case), c (case-sensitive), s (. matches newline)" + map[bool]string{true: ", g (every match)"}[allowG]
				return "", false, false
			}
		}
	}
	if _, err := regexp.Compile(pattern); err != nil {
		d := b.diags.Errorf(diag.BadLiteral, c.Args[pat].Position(), "%s pattern: %v", c.Name, err)
		d.Hint = "patterns are RE2 (Go's regexp): no lookaround or backreferences"
		return "", false, false
	}
	return pattern, global, true
}

// typeRegexpReplace: REGEXP_REPLACE(s, pattern, replacement [, flags]); the
// first match is replaced, every match with the flag 'g' (DuckDB, PostgreSQL).
func typeRegexpReplace(b *binder, c *ast.Call, args []plan.Expr) plan.Expr {
	if !b.arity(c, args, 3, 4) || !b.want(args[0], types.String, c.Args[0], c.Name) || !b.want(args[2], types.String, c.Args[2], c.Name) {
		return nil
	}
	pattern, global, ok := b.regexpArg(c, args, 1, 3, true)
	if !ok {
		return nil
	}
	s, repl := coerce(args[0], types.String), coerce(args[2], types.String)
	g := &plan.Const{Value: global, T: types.Of(types.Bool)}
	return &plan.Func{Name: "REGEXP_REPLACE", Args: []plan.Expr{s, strConst(pattern), repl, g},
		T: types.Type{Kind: types.String, Nullable: nullable(s, repl)}}
}

// typeRegexpLike: REGEXP_LIKE(s, pattern [, flags]): whether it matches anywhere.
func typeRegexpLike(b *binder, c *ast.Call, args []plan.Expr) plan.Expr {
	if !b.arity(c, args, 2, 3) || !b.want(args[0], types.String, c.Args[0], c.Name) {
		return nil
	}
	pattern, _, ok := b.regexpArg(c, args, 1, 2, false)
	if !ok {
		return nil
	}
	s := coerce(args[0], types.String)
	return &plan.Func{Name: "REGEXP_LIKE", Args: []plan.Expr{s, strConst(pattern)}, T: types.Type{Kind: types.Bool, Nullable: s.Type().Nullable}}
}

// commonKind is the kind every argument converts to (BIGINT and DOUBLE
// widen to DOUBLE), reporting a mix that has none.
func (b *binder) commonKind(c *ast.Call, args []plan.Expr) (types.Kind, bool) {
	kind := types.Unknown
	for i, a := range args {
		k, ok := types.Common(kind, a.Type().Kind)
		if !ok {
			b.diags.Errorf(diag.TypeMismatch, c.Args[i].Position(), "%s arguments mix %s and %s", c.Name, kind, a.Type().Kind)
			return 0, false
		}
		kind = k
	}
	if kind == types.Unknown {
		kind = types.String
	}
	return kind, true
}

// typeGreatest: GREATEST/LEAST(a, …) leave NULLs out: NULL only when every
// argument is (PostgreSQL, DuckDB).
func typeGreatest(b *binder, c *ast.Call, args []plan.Expr) plan.Expr {
	if len(args) == 0 {
		b.diags.Errorf(diag.WrongArgCount, c.Pos, "%s needs at least one argument", c.Name)
		return nil
	}
	kind, ok := b.commonKind(c, args)
	if !ok {
		return nil
	}
	if kind == types.Bool {
		b.diags.Errorf(diag.TypeMismatch, c.Pos, "%s of BOOLEAN is not supported", c.Name)
		return nil
	}
	out := make([]plan.Expr, len(args))
	all := true
	for i, a := range args {
		out[i] = coerce(a, kind)
		all = all && out[i].Type().Nullable
	}
	return &plan.Func{Name: c.Name, Args: out, T: types.Type{Kind: kind, Nullable: all}}
}

func typeNullIf(b *binder, c *ast.Call, args []plan.Expr) plan.Expr {
	if !b.arity(c, args, 2, 2) {
		return nil
	}
	kind, ok := b.commonKind(c, args)
	if !ok {
		return nil
	}
	return &plan.Func{Name: "NULLIF", Args: []plan.Expr{coerce(args[0], kind), coerce(args[1], kind)}, T: types.Null(kind)}
}

// isDistinct binds l IS [NOT] DISTINCT FROM r.
func (b *binder) isDistinct(e *ast.IsDistinct, sc *scope, ctx *exprCtx) plan.Expr {
	l, r := b.expr(e.L, sc, ctx), b.expr(e.R, sc, ctx)
	if l == nil || r == nil {
		return nil
	}
	kind, ok := types.Common(l.Type().Kind, r.Type().Kind)
	if !ok {
		b.diags.Errorf(diag.TypeMismatch, e.Pos, "IS DISTINCT FROM compares %s with %s", l.Type().Kind, r.Type().Kind)
		return nil
	}
	if kind == types.Unknown {
		kind = types.String
	}
	var out plan.Expr = &plan.Func{Name: "IS_DISTINCT", Args: []plan.Expr{coerce(l, kind), coerce(r, kind)}, T: types.Of(types.Bool)}
	if e.Not {
		out = &plan.Unary{Op: "NOT", X: out, T: out.Type()}
	}
	return out
}

// ---------------------------------------------------------------- time

// extractFields are EXTRACT's fields (DuckDB's names and meanings), with
// their aliases; EPOCH is a DOUBLE, the others BIGINT.
var extractFields = map[string]string{
	"YEAR": "YEAR", "YEARS": "YEAR", "QUARTER": "QUARTER", "MONTH": "MONTH", "MONTHS": "MONTH",
	"DAY": "DAY", "DAYS": "DAY", "DAYOFMONTH": "DAY", "HOUR": "HOUR", "HOURS": "HOUR",
	"MINUTE": "MINUTE", "MINUTES": "MINUTE", "SECOND": "SECOND", "SECONDS": "SECOND",
	"MILLISECOND": "MILLISECOND", "MILLISECONDS": "MILLISECOND", "MICROSECOND": "MICROSECOND", "MICROSECONDS": "MICROSECOND",
	"DOW": "DOW", "DAYOFWEEK": "DOW", "ISODOW": "ISODOW", "DOY": "DOY", "DAYOFYEAR": "DOY",
	"WEEK": "WEEK", "WEEKS": "WEEK", "EPOCH": "EPOCH",
}

// unitArg reads a constant unit or field name (a string, or a bare word
// as in TIMESTAMPADD(SECOND, …)) from table, reporting a bad one.
func (b *binder) unitArg(c *ast.Call, args []plan.Expr, i int, table map[string]string, what string) (string, bool) {
	name, ok := b.constString(c, i, args, what)
	if !ok {
		return "", false
	}
	u, ok := table[strings.ToUpper(name)]
	if !ok {
		d := b.diags.Errorf(diag.BadLiteral, c.Args[i].Position(), "%s: unknown %s %q", c.Name, what, name)
		d.Hint = "one of " + strings.Join(uniqueValues(table), ", ")
		return "", false
	}
	return u, true
}

func uniqueValues(m map[string]string) []string {
	seen := map[string]bool{}
	for _, v := range m {
		seen[v] = true
	}
	return sortedKeys(seen)
}

func (b *binder) wantTime(c *ast.Call, args []plan.Expr, i int) (plan.Expr, bool) {
	if !b.want(args[i], types.Timestamp, c.Args[i], c.Name) {
		return nil, false
	}
	return coerce(args[i], types.Timestamp), true
}

// typeExtract: EXTRACT(field FROM ts) (the parser makes the field a string)
// and DATE_PART('field', ts).
func typeExtract(b *binder, c *ast.Call, args []plan.Expr) plan.Expr {
	if !b.arity(c, args, 2, 2) {
		return nil
	}
	field, ok := b.unitArg(c, args, 0, extractFields, "field")
	if !ok {
		return nil
	}
	ts, ok := b.wantTime(c, args, 1)
	if !ok {
		return nil
	}
	k := types.Int
	if field == "EPOCH" {
		k = types.Float
	}
	return &plan.Func{Name: "EXTRACT", Args: []plan.Expr{strConst(field), ts}, T: types.Type{Kind: k, Nullable: ts.Type().Nullable}}
}

// typeFieldFunc: YEAR(ts), MONTH(ts), … as Flink writes them: EXTRACT.
func typeFieldFunc(field string) funcTyper {
	return func(b *binder, c *ast.Call, args []plan.Expr) plan.Expr {
		if !b.arity(c, args, 1, 1) {
			return nil
		}
		ts, ok := b.wantTime(c, args, 0)
		if !ok {
			return nil
		}
		return &plan.Func{Name: "EXTRACT", Args: []plan.Expr{strConst(field), ts}, T: types.Type{Kind: types.Int, Nullable: ts.Type().Nullable}}
	}
}

var truncUnits = map[string]string{
	"MICROSECOND": "MICROSECOND", "MILLISECOND": "MILLISECOND", "SECOND": "SECOND", "MINUTE": "MINUTE",
	"HOUR": "HOUR", "DAY": "DAY", "WEEK": "WEEK", "MONTH": "MONTH", "QUARTER": "QUARTER", "YEAR": "YEAR",
}

func typeDateTrunc(b *binder, c *ast.Call, args []plan.Expr) plan.Expr {
	if !b.arity(c, args, 2, 2) {
		return nil
	}
	unit, ok := b.unitArg(c, args, 0, truncUnits, "unit")
	if !ok {
		return nil
	}
	ts, ok := b.wantTime(c, args, 1)
	if !ok {
		return nil
	}
	return &plan.Func{Name: "DATE_TRUNC", Args: []plan.Expr{strConst(unit), ts}, T: ts.Type()}
}

// timeUnits are TIMESTAMPADD's and TIMESTAMPDIFF's units (Flink's, with
// SQL_TSI_ spellings of JDBC).
var timeUnits = map[string]string{
	"MICROSECOND": "MICROSECOND", "MILLISECOND": "MILLISECOND", "SECOND": "SECOND", "MINUTE": "MINUTE",
	"HOUR": "HOUR", "DAY": "DAY", "WEEK": "WEEK", "MONTH": "MONTH", "QUARTER": "QUARTER", "YEAR": "YEAR",
	"SQL_TSI_SECOND": "SECOND", "SQL_TSI_MINUTE": "MINUTE", "SQL_TSI_HOUR": "HOUR", "SQL_TSI_DAY": "DAY",
	"SQL_TSI_WEEK": "WEEK", "SQL_TSI_MONTH": "MONTH", "SQL_TSI_QUARTER": "QUARTER", "SQL_TSI_YEAR": "YEAR",
}

// unitWord lets the unit of TIMESTAMPADD(SECOND, …) be a bare word: the
// parser reads it as a column name, which it is not.
func unitWord(c *ast.Call) *ast.Call {
	if c.Name != "TIMESTAMPADD" && c.Name != "TIMESTAMPDIFF" || len(c.Args) == 0 {
		return c
	}
	ref, ok := c.Args[0].(*ast.ColumnRef)
	if !ok || ref.Qualifier != nil || ref.Name.Quoted {
		return c
	}
	out := *c
	out.Args = append([]ast.Expr{&ast.Literal{Pos: ref.Pos, Kind: ast.LitString, Text: strings.ToUpper(ref.Name.Name)}}, c.Args[1:]...)
	return &out
}

func typeTimestampAdd(b *binder, c *ast.Call, args []plan.Expr) plan.Expr {
	if !b.arity(c, args, 3, 3) {
		return nil
	}
	unit, ok := b.unitArg(c, args, 0, timeUnits, "unit")
	if !ok || !b.want(args[1], types.Int, c.Args[1], c.Name) {
		return nil
	}
	ts, ok := b.wantTime(c, args, 2)
	if !ok {
		return nil
	}
	n := coerce(args[1], types.Int)
	return &plan.Func{Name: "TIMESTAMPADD", Args: []plan.Expr{strConst(unit), n, ts}, T: types.Type{Kind: types.Timestamp, Nullable: nullable(n, ts)}}
}

func typeTimestampDiff(b *binder, c *ast.Call, args []plan.Expr) plan.Expr {
	if !b.arity(c, args, 3, 3) {
		return nil
	}
	unit, ok := b.unitArg(c, args, 0, timeUnits, "unit")
	if !ok {
		return nil
	}
	t1, ok1 := b.wantTime(c, args, 1)
	t2, ok2 := b.wantTime(c, args, 2)
	if !ok1 || !ok2 {
		return nil
	}
	return &plan.Func{Name: "TIMESTAMPDIFF", Args: []plan.Expr{strConst(unit), t1, t2}, T: types.Type{Kind: types.Int, Nullable: nullable(t1, t2)}}
}

// typeToTimestamp: TO_TIMESTAMP(seconds) (DuckDB: a number of seconds since
// the epoch) or TO_TIMESTAMP(s [, pattern]) (Flink: a string parsed with a
// Java-style pattern, 'yyyy-MM-dd HH:mm:ss' by default). NULL when it does
// not parse or is out of range, as a failing CAST.
func typeToTimestamp(b *binder, c *ast.Call, args []plan.Expr) plan.Expr {
	if !b.arity(c, args, 1, 2) {
		return nil
	}
	if k := args[0].Type().Kind; k.IsNumeric() {
		if len(args) == 2 {
			b.diags.Errorf(diag.WrongArgCount, c.Pos, "TO_TIMESTAMP of a number (seconds since the epoch) takes no pattern")
			return nil
		}
		return &plan.Func{Name: "TO_TIMESTAMP_SECONDS", Args: []plan.Expr{coerce(args[0], types.Float)}, T: types.Null(types.Timestamp)}
	}
	if !b.want(args[0], types.String, c.Args[0], c.Name) {
		return nil
	}
	pattern := "yyyy-MM-dd HH:mm:ss"
	if len(args) == 2 {
		p, ok := b.constString(c, 1, args, "the pattern")
		if !ok {
			return nil
		}
		pattern = p
	}
	layout, ok := b.javaPattern(c, c.Args[len(c.Args)-1], pattern)
	if !ok {
		return nil
	}
	return &plan.Func{Name: "TO_TIMESTAMP_PARSE", Args: []plan.Expr{coerce(args[0], types.String), strConst(layout)}, T: types.Null(types.Timestamp)}
}

// typeToTimestampLTZ: TO_TIMESTAMP_LTZ(n, precision) (Flink): n seconds
// (precision 0), milliseconds (3) or microseconds (6) since the epoch.
func typeToTimestampLTZ(b *binder, c *ast.Call, args []plan.Expr) plan.Expr {
	if !b.arity(c, args, 2, 2) || !b.want(args[0], types.Int, c.Args[0], c.Name) {
		return nil
	}
	p, ok := plan.Fold(args[1]).(*plan.Const)
	unit := map[any]int64{int64(0): 1_000_000, int64(3): 1_000, int64(6): 1}
	if !ok || unit[p.Value] == 0 {
		b.diags.Errorf(diag.BadLiteral, c.Args[1].Position(), "TO_TIMESTAMP_LTZ's precision must be the constant 0, 3 or 6")
		return nil
	}
	return &plan.Func{Name: "FROM_EPOCH", Args: []plan.Expr{coerce(args[0], types.Int), intConst(unit[p.Value])}, T: types.Null(types.Timestamp)}
}

// typeEpoch: EPOCH(ts) seconds (DOUBLE), EPOCH_MS(ts) and EPOCH_US(ts)
// BIGINT; EPOCH_MS(n) and MAKE_TIMESTAMP(n µs) the other way (DuckDB).
func typeEpoch(b *binder, c *ast.Call, args []plan.Expr) plan.Expr {
	if !b.arity(c, args, 1, 1) {
		return nil
	}
	x := args[0]
	if k := x.Type().Kind; c.Name == "MAKE_TIMESTAMP" || c.Name == "EPOCH_MS" && k == types.Int {
		if !b.want(x, types.Int, c.Args[0], c.Name) {
			return nil
		}
		unit := map[string]int64{"EPOCH_MS": 1_000, "MAKE_TIMESTAMP": 1}[c.Name]
		return &plan.Func{Name: "FROM_EPOCH", Args: []plan.Expr{coerce(x, types.Int), intConst(unit)}, T: types.Null(types.Timestamp)}
	}
	ts, ok := b.wantTime(c, args, 0)
	if !ok {
		return nil
	}
	switch c.Name {
	case "EPOCH":
		return &plan.Func{Name: "EXTRACT", Args: []plan.Expr{strConst("EPOCH"), ts}, T: types.Type{Kind: types.Float, Nullable: ts.Type().Nullable}}
	case "EPOCH_MS":
		return &plan.Func{Name: "EPOCH_MS", Args: []plan.Expr{ts}, T: types.Type{Kind: types.Int, Nullable: ts.Type().Nullable}}
	}
	return &plan.Func{Name: "EPOCH_US", Args: []plan.Expr{ts}, T: types.Type{Kind: types.Int, Nullable: ts.Type().Nullable}}
}

// typeFromUnixtime: FROM_UNIXTIME(seconds [, pattern]) (Flink): the time
// formatted, 'yyyy-MM-dd HH:mm:ss' by default.
func typeFromUnixtime(b *binder, c *ast.Call, args []plan.Expr) plan.Expr {
	if !b.arity(c, args, 1, 2) || !b.want(args[0], types.Int, c.Args[0], c.Name) {
		return nil
	}
	pattern := "yyyy-MM-dd HH:mm:ss"
	if len(args) == 2 {
		p, ok := b.constString(c, 1, args, "the pattern")
		if !ok {
			return nil
		}
		pattern = p
	}
	layout, ok := b.javaPattern(c, c.Args[len(c.Args)-1], pattern)
	if !ok {
		return nil
	}
	return &plan.Func{Name: "FROM_UNIXTIME", Args: []plan.Expr{coerce(args[0], types.Int), strConst(layout)}, T: types.Null(types.String)}
}

// javaPattern translates a Java-style date pattern (DATE_FORMAT, Flink's
// TO_TIMESTAMP) to a Go layout, reporting what it cannot translate.
func (b *binder) javaPattern(c *ast.Call, at ast.Expr, pattern string) (string, bool) {
	layout, bad := javaLayout(pattern)
	if bad != "" {
		d := b.diags.Errorf(diag.BadLiteral, at.Position(), "%s pattern %q: unsupported letter %q", c.Name, pattern, bad)
		d.Hint = "supported: " + javaLetters + ", and 'quoted text'"
		return "", false
	}
	return layout, true
}

// typeToChar: TO_CHAR(ts, pattern) with PostgreSQL's template patterns.
func typeToChar(b *binder, c *ast.Call, args []plan.Expr) plan.Expr {
	if !b.arity(c, args, 2, 2) {
		return nil
	}
	ts, ok := b.wantTime(c, args, 0)
	if !ok {
		return nil
	}
	pattern, ok := b.constString(c, 1, args, "the pattern")
	if !ok {
		return nil
	}
	layout, bad := pgLayout(pattern)
	if bad != "" {
		d := b.diags.Errorf(diag.BadLiteral, c.Args[1].Position(), "TO_CHAR pattern %q: %s", pattern, bad)
		d.Hint = "supported: YYYY YY MM DD DDD HH24 HH12 HH MI SS MS US AM PM Mon Month Dy Day TZ, and \"quoted text\""
		return nil
	}
	return &plan.Func{Name: "DATE_FORMAT", Args: []plan.Expr{ts, strConst(layout)}, T: types.Type{Kind: types.String, Nullable: ts.Type().Nullable}}
}

// pgToGo are TO_CHAR's template patterns, longest first where one is a
// prefix of another.
var pgToGo = []struct{ pg, goLayout string }{
	{"YYYY", "2006"}, {"YY", "06"}, {"MONTH", "January"}, {"Month", "January"}, {"MON", "Jan"}, {"Mon", "Jan"},
	{"MM", "01"}, {"DDD", "002"}, {"DD", "02"}, {"DAY", "Monday"}, {"Day", "Monday"}, {"DY", "Mon"}, {"Dy", "Mon"},
	{"HH24", "15"}, {"HH12", "03"}, {"HH", "03"}, {"MI", "04"}, {"SS", "05"}, {"MS", "000"}, {"US", "000000"},
	{"AM", "PM"}, {"PM", "PM"}, {"TZ", "UTC"},
}

// pgLayout converts a TO_CHAR pattern to a Go layout; bad says what it
// cannot convert. MS and US must follow a '.' or ',' (Go's fractional
// seconds); Month and Day are not blank-padded (PostgreSQL's FM form).
func pgLayout(p string) (layout, bad string) {
	var out strings.Builder
	for i := 0; i < len(p); {
		if p[i] == '"' {
			j := strings.IndexByte(p[i+1:], '"')
			if j < 0 {
				return "", "unclosed \""
			}
			lit := p[i+1 : i+1+j]
			if !literalLayout(lit) {
				return "", fmt.Sprintf("quoted text %q reads as a date field", lit)
			}
			out.WriteString(lit)
			i += j + 2
			continue
		}
		matched := false
		for _, m := range pgToGo {
			if strings.HasPrefix(p[i:], m.pg) {
				if (m.pg == "MS" || m.pg == "US") && (i == 0 || p[i-1] != '.' && p[i-1] != ',') {
					return "", m.pg + " must follow '.' or ','"
				}
				out.WriteString(m.goLayout)
				i += len(m.pg)
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		ch := p[i]
		if ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' {
			return "", fmt.Sprintf("unsupported letter %q", string(ch))
		}
		out.WriteByte(ch)
		i++
	}
	return out.String(), ""
}

// literalLayout reports whether text, put into a Go layout, stays the same
// text: it holds nothing Go reads as a date field ("Mon", "1", "PM", …).
func literalLayout(text string) bool {
	ref := time.Date(2009, 11, 17, 20, 34, 58, 651387237, time.UTC)
	return ref.Format(text) == text
}
