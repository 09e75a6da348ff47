package binder

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/laminar-sql/laminar/compiler/ast"
	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/compiler/plan"
)

// State retention (docs/dialect.md, "State retention"): a regular join's
// rows are stamped with their input's watermark when they arrive and
// dropped once both inputs' watermarks are state_ttl past it. It is set for the whole pipeline by
// SET 'state_ttl' = '1h' (Flink's key 'table.exec.state.ttl' is the same
// setting) and per view by CREATE VIEW v WITH (state_ttl = '1h') AS ….

// ttlSetting is a state_ttl given by a SET or a view's WITH.
type ttlSetting struct {
	micros int64 // 0: kept forever
	pos    ast.Pos
	set    bool
}

// settingKeys are the keys SET accepts, by the name they are known as.
var settingKeys = map[string]string{"state_ttl": "state_ttl", "table.exec.state.ttl": "state_ttl",
	"distinct_split": "distinct_split", splitEnabledKey: splitEnabledKey, splitBucketsKey: splitBucketsKey}

// settings binds the SET statements of a script: pipeline-wide settings,
// wherever they are written (each key once).
func (b *binder) settings(script *ast.Script) {
	for _, st := range script.Stmts {
		s, ok := st.(*ast.Set)
		if !ok {
			continue
		}
		key, known := settingKeys[s.Option.Key]
		if !known {
			d := b.diags.Errorf(diag.UnknownOption, s.Option.Pos, "SET %q is not a setting of a pipeline", s.Option.Key)
			d.Hint = "SET 'state_ttl' = '1h' bounds the state of regular joins, SET 'distinct_split' = '16' splits COUNT(DISTINCT) aggregates; job settings are flags, LAMINAR_* variables or a TOML file (docs/operations.md)"
			continue
		}
		if key != "state_ttl" {
			b.splitSetting(key, s.Option)
			continue
		}
		if b.ttl.set {
			b.diags.Errorf(diag.BadOption, s.Option.Pos, "SET %s is given twice (first at line %d)", key, b.ttl.pos.Line)
			continue
		}
		if us, ok := b.parseTTL(s.Option); ok {
			b.ttl = ttlSetting{micros: us, pos: s.Option.Pos, set: true}
		}
	}
}

// viewTTL is the state_ttl of a view's WITH clause, or the pipeline's.
// explicit tells that the view names it.
func (b *binder) viewTTL(with []ast.Option) (t ttlSetting, explicit, ok bool) {
	t = b.ttl
	seen := false
	for _, o := range with {
		if o.Key == "distinct_split" {
			continue // viewSplit
		}
		if o.Key != "state_ttl" {
			d := b.diags.Errorf(diag.UnknownOption, o.Pos, "a view has no option %q", o.Key)
			d.Hint = "a view's WITH takes state_ttl (how long a regular join keeps rows, e.g. '1h') and distinct_split (buckets of a split COUNT(DISTINCT), e.g. '16'); connector options go on sources and sinks"
			return t, false, false
		}
		if seen {
			b.diags.Errorf(diag.BadOption, o.Pos, "option %q given twice", o.Key)
			return t, false, false
		}
		seen = true
		us, good := b.parseTTL(o)
		if !good {
			return t, false, false
		}
		t = ttlSetting{micros: us, pos: o.Pos, set: true}
	}
	return t, seen, true
}

// flinkDuration is Flink's duration text: a number with an optional unit.
var flinkDuration = regexp.MustCompile(`^(\d+)\s*(ms|milli|millis|millisecond|milliseconds|s|sec|secs|second|seconds|min|mins|minute|minutes|h|hour|hours|d|day|days)?$`)

var flinkUnits = map[string]time.Duration{
	"": time.Millisecond, "ms": time.Millisecond, "milli": time.Millisecond, "millis": time.Millisecond,
	"millisecond": time.Millisecond, "milliseconds": time.Millisecond,
	"s": time.Second, "sec": time.Second, "secs": time.Second, "second": time.Second, "seconds": time.Second,
	"min": time.Minute, "mins": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"h": time.Hour, "hour": time.Hour, "hours": time.Hour, "d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
}

// parseTTL reads a state_ttl: a Go duration ('90m', '1h30m') or Flink's
// form ('1 h', '2 d', a bare number of milliseconds); 0 keeps state forever.
func (b *binder) parseTTL(o ast.Option) (int64, bool) {
	v := strings.ToLower(strings.TrimSpace(o.Value))
	d, err := time.ParseDuration(v)
	if err != nil {
		m := flinkDuration.FindStringSubmatch(v)
		n, perr := int64(0), error(nil)
		if m != nil {
			n, perr = strconv.ParseInt(m[1], 10, 64)
		}
		if m == nil || perr != nil || n > int64(1<<62)/int64(flinkUnits[m[2]]) {
			d := b.diags.Errorf(diag.BadOption, o.Pos, "state_ttl %q is not a duration such as '1h', '30m' or '2 d'", o.Value)
			d.Hint = "a Go duration or Flink's form; '0' keeps the state forever"
			return 0, false
		}
		d = time.Duration(n) * flinkUnits[m[2]]
	}
	if d < 0 {
		b.diags.Errorf(diag.BadOption, o.Pos, "state_ttl %q is negative", o.Value)
		return 0, false
	}
	if d > 0 && d < time.Microsecond {
		d = time.Microsecond
	}
	return d.Microseconds(), true
}

// applyTTL gives the regular joins of a view (its own, not those of the
// views it reads) the state_ttl t. Each needs event time: every source of
// both inputs has a watermark. A view that names state_ttl itself must have
// a regular join.
func (b *binder) applyTTL(v *plan.View, t ttlSetting, explicit bool) {
	if !t.set {
		return
	}
	var joins []*plan.Join
	var walk func(n plan.Node)
	walk = func(n plan.Node) {
		if j, ok := n.(*plan.Join); ok && retains(j) {
			joins = append(joins, j)
		}
		for _, in := range n.Inputs() {
			walk(in)
		}
	}
	walk(v.Root)
	if explicit && len(joins) == 0 && t.micros > 0 {
		d := b.diags.Errorf(diag.Unsupported, t.pos, "state_ttl bounds the state of regular joins, and view %s has none", v.Name)
		d.Hint = "windows, interval joins and ASOF joins free their state by the watermark already; aggregates, DISTINCT and top-N keep theirs (not bounded by state_ttl yet)"
		return
	}
	if t.micros == 0 {
		return
	}
	for _, j := range joins {
		if !hasWatermark(j.Left) || !hasWatermark(j.Right) {
			where := "view " + v.Name
			if !explicit {
				where = fmt.Sprintf("view %s (line %d)", v.Name, v.Pos.Line)
			}
			d := b.diags.Errorf(diag.NoWatermark, t.pos, "state_ttl counts event time, and an input of the join of %s has no watermark", where)
			d.Hint = "declare WATERMARK FOR a time column of every source of both inputs, or give the view WITH (state_ttl = '0') to keep its join state forever"
			return
		}
		j.TTL = t.micros
	}
}

// retains tells whether a join keeps its rows until they are retracted: a
// regular inner or outer join (not interval, ASOF, semi or anti).
func retains(j *plan.Join) bool {
	switch j.Kind {
	case plan.InnerJoin, plan.LeftJoin, plan.RightJoin, plan.FullJoin:
		return j.Interval == nil && j.Asof == nil
	}
	return false
}

// hasWatermark tells whether every source under n has a watermark (so that
// its input's watermark moves).
func hasWatermark(n plan.Node) bool {
	found, all := false, true
	var walk func(n plan.Node)
	walk = func(n plan.Node) {
		switch x := n.(type) {
		case *plan.Scan:
			found = true
			all = all && x.Source.TimeCol >= 0
		case *plan.ViewScan:
			walk(x.View.Root)
		}
		for _, in := range n.Inputs() {
			walk(in)
		}
	}
	walk(n)
	return found && all
}
