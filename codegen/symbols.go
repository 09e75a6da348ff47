package codegen

import "github.com/dave/jennifer/jen"

// Every runtime package generated code imports, with the name jennifer must
// use for it. Generated code names runtime symbols only through rt below, so a
// renamed runtime symbol breaks here and in the golden tests, nowhere else.
const (
	pkgJob       = "github.com/laminar-sql/laminar/runtime/job"
	pkgConnector = "github.com/laminar-sql/laminar/runtime/connector"
	pkgValue     = "github.com/laminar-sql/laminar/runtime/value"
	pkgWindow    = "github.com/laminar-sql/laminar/runtime/window"
	pkgJSONL     = "github.com/laminar-sql/laminar/runtime/format/jsonl"
	pkgCSV       = "github.com/laminar-sql/laminar/runtime/format/csvrow"
	pkgNexmark   = "github.com/laminar-sql/laminar/runtime/nexmark"
	pkgSnapshot  = "github.com/laminar-sql/laminar/runtime/snapshot"
	pkgLaminar   = "github.com/laminar-sql/laminar/runtime/laminar"
	pkgKVState   = "github.com/laminar-sql/laminar/runtime/kvstate"
	pkgJoin      = "github.com/laminar-sql/laminar/runtime/join"
	pkgExchange  = "github.com/laminar-sql/laminar/runtime/exchange"
	pkgSketch    = "github.com/laminar-sql/laminar/runtime/sketch"
	pkgTopN      = "github.com/laminar-sql/laminar/runtime/topn"
	pkgLookup    = "github.com/laminar-sql/laminar/runtime/lookup"
	pkgPGLookup  = "github.com/laminar-sql/laminar/runtime/lookup/pglookup"
	pkgParquet   = "github.com/laminar-sql/laminar/runtime/connector/parquet"
	pkgDecimal   = "github.com/laminar-sql/laminar/runtime/decimal"
)

// connectorPackages are the connectors that live in packages of their own,
// by connector name: a job imports one only when its SQL names it.
var connectorPackages = map[string]string{
	"kafka":    "github.com/laminar-sql/laminar/runtime/connector/kafka",
	"postgres": "github.com/laminar-sql/laminar/runtime/connector/postgres",
	"parquet":  pkgParquet,
	// the partitioned file sink writing CSV or JSON files (with Parquet
	// files it is connector 'parquet', which links arrow-go)
	"filesystem": "github.com/laminar-sql/laminar/runtime/connector/filesystem",
	"iceberg":    "github.com/laminar-sql/laminar/runtime/connector/iceberg",
}

// formatPackages are the formats that live in packages of their own
// (heavy dependencies), by format name: imported only when a source or a
// sink uses one.
var formatPackages = map[string]string{
	"avro": "github.com/laminar-sql/laminar/runtime/format/avro",
}

var importNames = map[string]string{
	pkgJob: "job", pkgConnector: "connector", pkgValue: "value", pkgWindow: "window",
	pkgJSONL: "jsonl", pkgCSV: "csvrow", pkgNexmark: "nexmark", pkgSnapshot: "snapshot", pkgLaminar: "laminar", pkgKVState: "kvstate",
	pkgJoin: "join", pkgExchange: "exchange", pkgSketch: "sketch", pkgLookup: "lookup", pkgPGLookup: "pglookup",
	pkgTopN: "topn", pkgParquet: "parquet", pkgDecimal: "decimal",
}

// runtimeSymbols is the table of every runtime symbol generated code uses.
var runtimeSymbols = map[string][2]string{
	// job lifecycle
	"job.Context": {pkgJob, "Context"}, "job.Pipeline": {pkgJob, "Pipeline"}, "job.Spec": {pkgJob, "Spec"},
	"job.SourceSpec": {pkgJob, "SourceSpec"}, "job.SinkSpec": {pkgJob, "SinkSpec"},
	"job.RequireAPIVersion1": {pkgJob, "RequireAPIVersion1"}, "job.ParallelDecoder": {pkgJob, "ParallelDecoder"},
	"connector.LineBatch": {pkgConnector, "LineBatch"}, "parquet.Batch": {pkgParquet, "Batch"},
	// values and scalar functions
	"value.Null": {pkgValue, "Null"}, "value.Of": {pkgValue, "Of"},
	"value.And": {pkgValue, "And"}, "value.Or": {pkgValue, "Or"}, "value.Not": {pkgValue, "Not"},
	"value.DivIntNN": {pkgValue, "DivIntNN"}, "value.DivFloatNN": {pkgValue, "DivFloatNN"},
	"value.ModIntNN": {pkgValue, "ModIntNN"}, "value.ModFloatNN": {pkgValue, "ModFloatNN"},
	"value.Like": {pkgValue, "Like"}, "value.Lower": {pkgValue, "Lower"}, "value.LowerEquals": {pkgValue, "LowerEquals"}, "value.Upper": {pkgValue, "Upper"},
	"value.Length": {pkgValue, "Length"}, "value.Substring": {pkgValue, "Substring"},
	"value.SubstringLen": {pkgValue, "SubstringLen"}, "value.AbsIntChecked": {pkgValue, "AbsIntChecked"},
	"value.AbsFloat": {pkgValue, "AbsFloat"}, "value.Round": {pkgValue, "Round"},
	"value.RoundInt": {pkgValue, "RoundInt"}, "value.Floor": {pkgValue, "Floor"}, "value.Ceil": {pkgValue, "Ceil"},
	"value.FloatToInt": {pkgValue, "FloatToInt"}, "value.ParseInt": {pkgValue, "ParseInt"},
	"value.ParseFloat": {pkgValue, "ParseFloat"}, "value.ParseBool": {pkgValue, "ParseBool"},
	"value.ParseTimestamp": {pkgValue, "ParseTimestamp"}, "value.FormatInt": {pkgValue, "FormatInt"},
	"value.FormatFloat": {pkgValue, "FormatFloat"}, "value.FormatBool": {pkgValue, "FormatBool"},
	"value.FormatTimestamp": {pkgValue, "FormatTimestamp"}, "value.TumbleStart": {pkgValue, "TumbleStart"},
	"value.HopLastStart": {pkgValue, "HopLastStart"}, "value.FloorDiv": {pkgValue, "FloorDiv"}, "value.Hour": {pkgValue, "Hour"}, "value.BucketInt": {pkgValue, "BucketInt"}, "value.BucketFloat": {pkgValue, "BucketFloat"}, "value.BucketBool": {pkgValue, "BucketBool"}, "value.BucketString": {pkgValue, "BucketString"},
	"value.FormatTime": {pkgValue, "FormatTime"}, "value.SplitIndex": {pkgValue, "SplitIndex"},
	"value.RegexpExtract": {pkgValue, "RegexpExtract"}, "value.MustCompileRegexp": {pkgValue, "MustCompileRegexp"},
	// checked arithmetic: an overflow sets the row's value.Fault
	"value.Fault": {pkgValue, "Fault"}, "value.AddInt": {pkgValue, "AddInt"}, "value.SubInt": {pkgValue, "SubInt"},
	"value.MulInt": {pkgValue, "MulInt"}, "value.NegInt": {pkgValue, "NegInt"}, "value.AddTime": {pkgValue, "AddTime"},
	"value.SubTime": {pkgValue, "SubTime"}, "value.SumInt": {pkgValue, "SumInt"}, "value.SumIntWeighted": {pkgValue, "SumIntWeighted"}, "value.MergeSum": {pkgValue, "MergeSum"},
	"value.SumResult": {pkgValue, "SumResult"}, "value.AvgInt": {pkgValue, "AvgInt"},
	"value.NewSet": {pkgValue, "NewSet"},
	// the function library (funcs_lib.go)
	"value.Trim": {pkgValue, "Trim"}, "value.LTrim": {pkgValue, "LTrim"}, "value.RTrim": {pkgValue, "RTrim"}, "value.TrimChars": {pkgValue, "TrimChars"}, "value.LTrimChars": {pkgValue, "LTrimChars"}, "value.RTrimChars": {pkgValue, "RTrimChars"}, "value.Replace": {pkgValue, "Replace"}, "value.Position": {pkgValue, "Position"}, "value.InitCap": {pkgValue, "InitCap"}, "value.SplitPart": {pkgValue, "SplitPart"}, "value.LPad": {pkgValue, "LPad"}, "value.RPad": {pkgValue, "RPad"}, "value.ConcatAll": {pkgValue, "ConcatAll"}, "value.ConcatWS": {pkgValue, "ConcatWS"}, "value.RegexpReplace": {pkgValue, "RegexpReplace"}, "value.RegexpLike": {pkgValue, "RegexpLike"}, "value.Greatest": {pkgValue, "Greatest"}, "value.Least": {pkgValue, "Least"}, "value.NullIf": {pkgValue, "NullIf"}, "value.Distinct": {pkgValue, "Distinct"}, "value.ExtractYear": {pkgValue, "ExtractYear"}, "value.ExtractQuarter": {pkgValue, "ExtractQuarter"}, "value.ExtractMonth": {pkgValue, "ExtractMonth"}, "value.ExtractDay": {pkgValue, "ExtractDay"}, "value.ExtractHour": {pkgValue, "ExtractHour"}, "value.ExtractMinute": {pkgValue, "ExtractMinute"}, "value.ExtractSecond": {pkgValue, "ExtractSecond"}, "value.ExtractMillisecond": {pkgValue, "ExtractMillisecond"}, "value.ExtractMicrosecond": {pkgValue, "ExtractMicrosecond"}, "value.ExtractDow": {pkgValue, "ExtractDow"}, "value.ExtractIsoDow": {pkgValue, "ExtractIsoDow"}, "value.ExtractDoy": {pkgValue, "ExtractDoy"}, "value.ExtractWeek": {pkgValue, "ExtractWeek"}, "value.ExtractEpoch": {pkgValue, "ExtractEpoch"}, "value.TruncWeek": {pkgValue, "TruncWeek"}, "value.TruncMonth": {pkgValue, "TruncMonth"}, "value.TruncQuarter": {pkgValue, "TruncQuarter"}, "value.TruncYear": {pkgValue, "TruncYear"}, "value.TruncUnit": {pkgValue, "TruncUnit"}, "value.AddUnits": {pkgValue, "AddUnits"}, "value.AddMonths": {pkgValue, "AddMonths"}, "value.DiffUnits": {pkgValue, "DiffUnits"}, "value.DiffMonths": {pkgValue, "DiffMonths"}, "value.FromEpochSeconds": {pkgValue, "FromEpochSeconds"}, "value.ParseTime": {pkgValue, "ParseTime"}, "value.FromEpochUnits": {pkgValue, "FromEpochUnits"}, "value.EpochMillis": {pkgValue, "EpochMillis"}, "value.FormatEpochSeconds": {pkgValue, "FormatEpochSeconds"}, "value.UnitMicrosecond": {pkgValue, "UnitMicrosecond"}, "value.UnitMillisecond": {pkgValue, "UnitMillisecond"}, "value.UnitSecond": {pkgValue, "UnitSecond"}, "value.UnitMinute": {pkgValue, "UnitMinute"}, "value.UnitHour": {pkgValue, "UnitHour"}, "value.UnitDay": {pkgValue, "UnitDay"}, "value.UnitWeek": {pkgValue, "UnitWeek"},
	// STDDEV/VARIANCE, APPROX_COUNT_DISTINCT, FIRST_VALUE/LAST_VALUE (agg_more.go)
	"value.Welford": {pkgValue, "Welford"}, "value.WelfordMerge": {pkgValue, "WelfordMerge"},
	"value.VarPop": {pkgValue, "VarPop"}, "value.VarSamp": {pkgValue, "VarSamp"},
	"value.StddevPop": {pkgValue, "StddevPop"}, "value.StddevSamp": {pkgValue, "StddevSamp"},
	"sketch.HLL": {pkgSketch, "HLL"}, "sketch.HashInt": {pkgSketch, "HashInt"}, "sketch.HashDec128": {pkgSketch, "HashDec128"}, "sketch.HashFloat": {pkgSketch, "HashFloat"},
	"sketch.HashString": {pkgSketch, "HashString"}, "sketch.HashBool": {pkgSketch, "HashBool"},
	"value.NewTimeFormat": {pkgValue, "NewTimeFormat"}, "value.Call": {pkgValue, "Call"}, "value.CallErr": {pkgValue, "CallErr"},
	"window.TimedSet": {pkgWindow, "TimedSet"}, "window.DistinctSet": {pkgWindow, "DistinctSet"}, "window.Moments": {pkgWindow, "Moments"},
	// keyed and windowed state
	"window.Groups": {pkgWindow, "Groups"}, "window.NewGroups": {pkgWindow, "NewGroups"},
	"window.Windows": {pkgWindow, "Windows"}, "window.NewWindows": {pkgWindow, "NewWindows"},
	"window.Panes": {pkgWindow, "Panes"}, "window.NewPanes": {pkgWindow, "NewPanes"},
	"window.ShiftWatermark": {pkgWindow, "ShiftWatermark"}, "window.OpOf": {pkgWindow, "OpOf"}, "window.WeightOf": {pkgWindow, "WeightOf"},
	"window.Multiset":            {pkgWindow, "Multiset"},
	"window.PartitionWatermarks": {pkgWindow, "PartitionWatermarks"}, "window.NewPartitionWatermarks": {pkgWindow, "NewPartitionWatermarks"},
	"window.Sessions": {pkgWindow, "Sessions"}, "window.NewSessions": {pkgWindow, "NewSessions"}, "window.Session": {pkgWindow, "Session"},
	"join.Side": {pkgJoin, "Side"}, "join.NewSide": {pkgJoin, "NewSide"}, "join.NewKeyedSide": {pkgJoin, "NewKeyedSide"}, "join.NewGrowingSide": {pkgJoin, "NewGrowingSide"}, "join.Entry": {pkgJoin, "Entry"}, "join.Copies": {pkgJoin, "Copies"},
	"join.Span": {pkgJoin, "Span"}, "join.Within": {pkgJoin, "Within"},
	"topn.State": {pkgTopN, "State"}, "topn.Partition": {pkgTopN, "Partition"}, "topn.New": {pkgTopN, "New"},
	"topn.Dedup": {pkgTopN, "Dedup"}, "topn.DedupPart": {pkgTopN, "DedupPart"}, "topn.NewDedup": {pkgTopN, "NewDedup"},
	"topn.RowNumber": {pkgTopN, "RowNumber"}, "topn.Rank": {pkgTopN, "Rank"}, "topn.DenseRank": {pkgTopN, "DenseRank"},
	"topn.Compare": {pkgTopN, "Compare"}, "topn.FrameRows": {pkgTopN, "FrameRows"}, "topn.Frame": {pkgTopN, "Frame"}, "topn.CompareBool": {pkgTopN, "CompareBool"},
	"topn.CompareDec128": {pkgTopN, "CompareDec128"}, "value.GreatestDec128": {pkgValue, "GreatestDec128"}, "value.LeastDec128": {pkgValue, "LeastDec128"},
	"join.Asof": {pkgJoin, "Asof"}, "join.NewAsof": {pkgJoin, "NewAsof"}, "join.AsofMode": {pkgJoin, "AsofMode"},
	"lookup.Cache": {pkgLookup, "Cache"}, "lookup.NewCache": {pkgLookup, "NewCache"}, "lookup.Options": {pkgLookup, "Options"},
	"lookup.Held": {pkgLookup, "Held"}, "lookup.NewHeld": {pkgLookup, "NewHeld"},
	"lookup.Table": {pkgLookup, "Table"}, "lookup.Column": {pkgLookup, "Column"}, "lookup.OpenFile": {pkgLookup, "OpenFile"},
	"lookup.Int": {pkgLookup, "Int"}, "lookup.Decimal": {pkgLookup, "Decimal"}, "lookup.Decimal128": {pkgLookup, "Decimal128"}, "lookup.Float": {pkgLookup, "Float"}, "lookup.String": {pkgLookup, "String"},
	"lookup.Bool": {pkgLookup, "Bool"}, "lookup.Timestamp": {pkgLookup, "Timestamp"}, "pglookup.Open": {pkgPGLookup, "Open"},
	"job.LookupStatus": {pkgJob, "LookupStatus"},
	"join.Backward":    {pkgJoin, "Backward"}, "join.Forward": {pkgJoin, "Forward"}, "join.Nearest": {pkgJoin, "Nearest"},
	// formats
	"jsonl.Scanner": {pkgJSONL, "Scanner"}, "jsonl.Interner": {pkgJSONL, "Interner"},
	"jsonl.NewKeys": {pkgJSONL, "NewKeys"}, "jsonl.InvalidText": {pkgJSONL, "InvalidText"},
	"jsonl.AppendString": {pkgJSONL, "AppendString"}, "jsonl.AppendInt": {pkgJSONL, "AppendInt"},
	"jsonl.AppendFloat": {pkgJSONL, "AppendFloat"}, "jsonl.AppendBool": {pkgJSONL, "AppendBool"},
	"jsonl.AppendNull": {pkgJSONL, "AppendNull"}, "jsonl.AppendTimestamp": {pkgJSONL, "AppendTimestamp"},
	"csvrow.Splitter": {pkgCSV, "Splitter"}, "csvrow.ParseInt64": {pkgCSV, "ParseInt64"},
	"csvrow.ParseFloat64": {pkgCSV, "ParseFloat64"}, "csvrow.ParseBool": {pkgCSV, "ParseBool"},
	"csvrow.ParseTimestamp": {pkgCSV, "ParseTimestamp"},
	"nexmark.KindPerson":    {pkgNexmark, "KindPerson"}, "nexmark.KindAuction": {pkgNexmark, "KindAuction"},
	"nexmark.KindBid": {pkgNexmark, "KindBid"},
	"nexmark.Person":  {pkgNexmark, "Person"}, "nexmark.Auction": {pkgNexmark, "Auction"}, "nexmark.Bid": {pkgNexmark, "Bid"},
	"nexmark.Event": {pkgNexmark, "Event"},
	// checkpoint state
	"job.StateUnit": {pkgJob, "StateUnit"}, "job.OperatorStatus": {pkgJob, "OperatorStatus"}, "snapshot.AppendInt": {pkgSnapshot, "AppendInt"},
	"snapshot.AppendUint": {pkgSnapshot, "AppendUint"}, "snapshot.AppendDec128": {pkgSnapshot, "AppendDec128"}, "snapshot.AppendFloat": {pkgSnapshot, "AppendFloat"},
	"snapshot.AppendBool": {pkgSnapshot, "AppendBool"}, "snapshot.AppendString": {pkgSnapshot, "AppendString"},
	"snapshot.Decoder": {pkgSnapshot, "Decoder"}, "snapshot.NewDecoder": {pkgSnapshot, "NewDecoder"},
	// embedding (--lib)
	"laminar.Op": {pkgLaminar, "Op"}, "laminar.Subscribers": {pkgLaminar, "Subscribers"}, "laminar.Stream": {pkgLaminar, "Stream"},
	"laminar.ErrClosed": {pkgLaminar, "ErrClosed"}, "laminar.ErrEnded": {pkgLaminar, "ErrEnded"},
	"kvstate.Store": {pkgKVState, "Store"}, "kvstate.Table": {pkgKVState, "Table"}, "kvstate.Open": {pkgKVState, "Open"},
	"kvstate.Options": {pkgKVState, "Options"},
	// workers of a partitioned job (codegen/parallel.go)
	"job.Partitioned": {pkgJob, "Partitioned"}, "job.Partition": {pkgJob, "Partition"}, "job.UnitRecord": {pkgJob, "UnitRecord"}, "job.SourcePartition": {pkgJob, "SourcePartition"}, "job.Exchanging": {pkgJob, "Exchanging"}, "job.ReportMark": {pkgJob, "ReportMark"},
	"exchange.Seed": {pkgExchange, "Seed"}, "exchange.Int": {pkgExchange, "Int"}, "exchange.String": {pkgExchange, "String"},
	"exchange.Bool": {pkgExchange, "Bool"}, "exchange.Null": {pkgExchange, "Null"}, "exchange.Owner": {pkgExchange, "Owner"},
	"job.NewEmbedded": {pkgJob, "NewEmbedded"}, "job.Embedded": {pkgJob, "Embedded"}, "job.EmbedOptions": {pkgJob, "EmbedOptions"},
}

// rt references a runtime symbol by its table name; an unknown name is a bug
// in the code generator and panics at generation time, caught by tests.
func rt(name string) *jen.Statement {
	s, ok := runtimeSymbols[name]
	if !ok {
		panic("codegen: runtime symbol not in table: " + name)
	}
	return jen.Qual(s[0], s[1])
}
