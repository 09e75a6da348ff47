package codegen

import (
	"github.com/dave/jennifer/jen"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// libFunction renders the scalar functions of compiler/binder/funcs_lib.go;
// ok is false for a name it does not know. args are e.Args computed; a
// constant field, unit, pattern or layout argument is read from e.Args.
func (g *exprGen) libFunction(e *plan.Func, args []operand) (operand, bool) {
	t := e.Type()
	plain := func(fn string, args []operand) operand {
		return g.lift(t, args, false, func(v []jen.Code) jen.Code { return rt(fn).Call(v...) })
	}
	constStr := func(i int) string { return e.Args[i].(*plan.Const).Value.(string) }
	switch e.Name {
	case "TRIM", "LTRIM", "RTRIM":
		fn := map[string]string{"TRIM": "value.Trim", "LTRIM": "value.LTrim", "RTRIM": "value.RTrim"}[e.Name]
		if len(args) == 2 {
			fn += "Chars"
		}
		return plain(fn, args), true
	case "REPLACE":
		return plain("value.Replace", args), true
	case "POSITION":
		return plain("value.Position", args), true
	case "INITCAP":
		return plain("value.InitCap", args), true
	case "SPLIT_PART":
		return plain("value.SplitPart", args), true
	case "LPAD":
		return plain("value.LPad", args), true
	case "RPAD":
		return plain("value.RPad", args), true
	case "CONCAT":
		vals := make([]jen.Code, len(args))
		for i, a := range args {
			vals[i] = toNull(a)
		}
		return operand{rt("value.ConcatAll").Call(vals...), false}, true
	case "CONCAT_WS":
		vals := make([]jen.Code, len(args))
		for i, a := range args {
			vals[i] = toNull(a)
		}
		out := g.assignTemp(types.Null(types.String), rt("value.ConcatWS").Call(vals...))
		if !t.Nullable {
			return operand{jen.Add(out.code).Dot("V"), false}, true
		}
		return out, true
	case "REGEXP_REPLACE":
		re := g.glob.regexp(constStr(1))
		all := e.Args[3].(*plan.Const).Value.(bool)
		return g.lift(t, []operand{args[0], args[2]}, false, func(v []jen.Code) jen.Code {
			return rt("value.RegexpReplace").Call(re, v[0], v[1], jen.Lit(all))
		}), true
	case "REGEXP_LIKE":
		re := g.glob.regexp(constStr(1))
		return g.lift(t, args[:1], false, func(v []jen.Code) jen.Code { return rt("value.RegexpLike").Call(re, v[0]) }), true
	case "GREATEST", "LEAST":
		fn := map[string]string{"GREATEST": "value.Greatest", "LEAST": "value.Least"}[e.Name]
		if t.Kind.IsWideDecimal() {
			fn += "Dec128"
		}
		acc := toNull(args[0])
		for _, a := range args[1:] {
			acc = rt(fn).Call(acc, toNull(a))
		}
		out := g.assignTemp(types.Null(t.Kind), acc)
		if !t.Nullable {
			return operand{jen.Add(out.code).Dot("V"), false}, true
		}
		return out, true
	case "NULLIF":
		return g.assignTemp(t, rt("value.NullIf").Call(toNull(args[0]), toNull(args[1]))), true
	case "IS_DISTINCT":
		return operand{rt("value.Distinct").Call(toNull(args[0]), toNull(args[1])), false}, true
	case "EXTRACT":
		fn := map[string]string{"YEAR": "value.ExtractYear", "QUARTER": "value.ExtractQuarter", "MONTH": "value.ExtractMonth",
			"DAY": "value.ExtractDay", "HOUR": "value.ExtractHour", "MINUTE": "value.ExtractMinute", "SECOND": "value.ExtractSecond",
			"MILLISECOND": "value.ExtractMillisecond", "MICROSECOND": "value.ExtractMicrosecond", "DOW": "value.ExtractDow",
			"ISODOW": "value.ExtractIsoDow", "DOY": "value.ExtractDoy", "WEEK": "value.ExtractWeek", "EPOCH": "value.ExtractEpoch"}[constStr(0)]
		return plain(fn, args[1:]), true
	case "DATE_TRUNC":
		switch unit := constStr(0); unit {
		case "WEEK", "MONTH", "QUARTER", "YEAR":
			return plain(map[string]string{"WEEK": "value.TruncWeek", "MONTH": "value.TruncMonth", "QUARTER": "value.TruncQuarter", "YEAR": "value.TruncYear"}[unit], args[1:]), true
		default:
			return g.lift(t, args[1:], false, func(v []jen.Code) jen.Code { return rt("value.TruncUnit").Call(v[0], unitSize(unit)) }), true
		}
	case "TIMESTAMPADD":
		unit := constStr(0)
		months := map[string]int64{"MONTH": 1, "QUARTER": 3, "YEAR": 12}[unit]
		if months == 0 {
			return g.checked(t, "value.AddUnits", []operand{args[2], args[1], {unitSize(unit), false}}), true
		}
		n := args[1]
		if months != 1 {
			n = g.checked(types.Type{Kind: types.Int, Nullable: n.nullable}, "value.MulInt", []operand{n, {jen.Lit(months), false}})
		}
		return g.checked(t, "value.AddMonths", []operand{args[2], n}), true
	case "TIMESTAMPDIFF":
		unit := constStr(0)
		months := map[string]int64{"MONTH": 1, "QUARTER": 3, "YEAR": 12}[unit]
		if months == 0 {
			return g.lift(t, args[1:], false, func(v []jen.Code) jen.Code { return rt("value.DiffUnits").Call(v[0], v[1], unitSize(unit)) }), true
		}
		return g.lift(t, args[1:], false, func(v []jen.Code) jen.Code {
			d := rt("value.DiffMonths").Call(v[0], v[1])
			if months == 1 {
				return d
			}
			return jen.Add(d).Op("/").Lit(months)
		}), true
	case "TO_TIMESTAMP_SECONDS":
		return g.fallible(t, args, func(v []jen.Code) jen.Code { return rt("value.FromEpochSeconds").Call(v...) }), true
	case "TO_TIMESTAMP_PARSE":
		return g.fallible(t, args, func(v []jen.Code) jen.Code { return rt("value.ParseTime").Call(v...) }), true
	case "FROM_EPOCH":
		return g.fallible(t, args, func(v []jen.Code) jen.Code { return rt("value.FromEpochUnits").Call(v...) }), true
	case "EPOCH_MS":
		return plain("value.EpochMillis", args), true
	case "EPOCH_US":
		return args[0], true // a TIMESTAMP is its µs
	case "FROM_UNIXTIME":
		return g.fallible(t, args, func(v []jen.Code) jen.Code { return rt("value.FormatEpochSeconds").Call(v...) }), true
	}
	return operand{}, false
}

// unitSize is the runtime constant of a fixed-length unit's size in µs.
func unitSize(unit string) jen.Code {
	return rt(map[string]string{"MICROSECOND": "value.UnitMicrosecond", "MILLISECOND": "value.UnitMillisecond",
		"SECOND": "value.UnitSecond", "MINUTE": "value.UnitMinute", "HOUR": "value.UnitHour", "DAY": "value.UnitDay",
		"WEEK": "value.UnitWeek"}[unit])
}
