package codegen

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// decoder generates the record decoder of a source: JSON lines look keys up
// by exact column name; CSV takes fields in declaration order. Columns no view
// reads are skipped but still checked for presence when NOT NULL, so the
// dead-letter output does not depend on the queries.
func (g *generator) decoder(s *sourceInfo) {
	if s == g.firstLineSource() {
		g.f.Comment("errHeader marks a CSV header line, which is skipped without a dead-letter report.")
		g.f.Var().Id("errHeader").Op("=").Qual("errors", "New").Call(jen.Lit("header line"))
		g.f.Line()
		g.parallelDispatch()
	}
	if s.src.Format == "csv" {
		g.csvDecoder(s)
	} else {
		g.jsonDecoder(s)
	}
	if s.src.Metadata != nil {
		g.metaDecoder(s)
	}
	g.batchDecoder(s)
}

// decoderChecksText reports whether the decoder of source s counts the
// records with invalid text as it decodes them (job.SourceSpec's
// DecoderChecksText): a source of JSON lines, whose Scanner sees every
// byte of a record it reads without error (jsonl.Scanner.BadText), and
// checks the records it rejects whole (jsonl.InvalidText).
func decoderChecksText(s *plan.Source) bool {
	return s.Typed == nil && s.Format == "json"
}

// textCount is the statement that counts, in invalid, a record the
// decoder read (ok) or rejected, when it has invalid text; scanner is
// the decoder's jsonl.Scanner.
func textCount(scanner jen.Code, ok bool) jen.Code {
	if ok {
		return jen.If(jen.Add(scanner).Dot("BadText").Call()).Block(jen.Id("invalid").Op("++"))
	}
	return jen.If(rt("jsonl.InvalidText").Call(jen.Id("line"))).Block(jen.Id("invalid").Op("++"))
}

// firstLineSource is the first source whose records are lines (not a
// generator): the one that carries the code all decoders share.
func (g *generator) firstLineSource() *sourceInfo {
	for _, s := range g.sources {
		if s.src.Typed == nil {
			return s
		}
	}
	return nil
}

// parallelDispatch generates the engine's job.ParallelDecoder methods: the
// runtime decodes the batches of line sources on several goroutines with
// them, and hands the decoded batches to the pipeline in input order.
func (g *generator) parallelDispatch() {
	var news, procs []jen.Code
	for _, s := range g.sources {
		if s.src.Typed != nil {
			continue
		}
		news = append(news, jen.Case(jen.Lit(s.idx)).Block(jen.Return(jen.New(jen.Id("decoder"+s.goName)).Dot("decode"))))
		procs = append(procs, jen.Case(jen.Lit(s.idx)).Block(jen.Id("p").Dot("processDecoded"+s.goName).Call(jen.Id("b"))))
	}
	batchFunc := jen.Func().Params(jen.Op("*").Add(rt("connector.LineBatch")))
	g.f.Var().Id("_").Add(rt("job.ParallelDecoder")).Op("=").Parens(jen.Op("*").Id(coreType)).Call(jen.Nil())
	g.f.Line()
	g.f.Comment("NewDecoder returns a decoder of source src's batches for one goroutine, or nil for a generated source")
	g.f.Comment("(job.ParallelDecoder). Decoders share no state with the engine or with each other.")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("NewDecoder").Params(jen.Id("src").Int()).Add(batchFunc).Block(
		jen.Switch(jen.Id("src")).Block(news...),
		jen.Return(jen.Nil()))
	g.f.Line()
	g.f.Comment("ProcessDecoded processes a batch of source src that a decoder of NewDecoder filled (job.ParallelDecoder).")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("ProcessDecoded").Params(jen.Id("src").Int(), jen.Id("b").Op("*").Add(rt("connector.LineBatch"))).Block(
		jen.Switch(jen.Id("src")).Block(procs...))
	g.f.Line()
}

// batchDecoder generates, for a line source, the decoder of whole batches
// that runs off the engine's goroutine, and the engine's entry point for the
// batches it decoded. Both keep the order of lines-then-rows of lines<Source>:
// first the malformed records are reported, then the rows are processed.
func (g *generator) batchDecoder(s *sourceInfo) {
	decoded, decoder := "decoded"+s.goName, "decoder"+s.goName
	name := commentLines(s.src.Name)[0]
	g.f.Comment(fmt.Sprintf("%s is a batch of source %s decoded off the engine's goroutine, kept in the batch's Decoded field.", decoded, name))
	g.f.Type().Id(decoded).Struct(
		jen.Id("rows").Index().Id(s.rowType),
		jen.Id("lines").Index().Int32().Comment("index in the raw batch of each decoded row"),
		jen.Id("bad").Index().Int32().Comment("index in the raw batch of each malformed record"),
		jen.Id("errs").Index().Error().Comment("why each of bad did not decode"),
	)
	g.f.Line()
	g.f.Comment(fmt.Sprintf("%s decodes batches of source %s on one goroutine.", decoder, name))
	fields := []jen.Code{jen.Id("intern").Add(rt("jsonl.Interner"))}
	decode := "decode" + s.rowType + "JSON"
	decArgs := []jen.Code{jen.Op("&").Id("d").Dot("json"), jen.Op("&").Id("d").Dot("intern"), jen.Id("line"), jen.Op("&").Id("rows").Index(jen.Len(jen.Id("rows")).Op("-").Lit(1))}
	if s.src.Format == "csv" {
		fields = append(fields, jen.Id("csv").Add(rt("csvrow.Splitter")))
		decode = "decode" + s.rowType + "CSV"
		decArgs[0] = jen.Op("&").Id("d").Dot("csv")
		decArgs = append(decArgs, jen.Id("b").Dot("LineNos").Index(jen.Id("i")))
	} else {
		fields = append(fields, jen.Id("json").Add(rt("jsonl.Scanner")))
	}
	if s.src.Metadata != nil {
		decode = "decode" + s.rowType
		decArgs = append(decArgs, jen.Id("b"), jen.Id("i"))
	}
	g.f.Type().Id(decoder).Struct(fields...)
	g.f.Line()
	checks := decoderChecksText(s.src)
	var count, countBad, countOK, setCount []jen.Code
	if checks {
		count = []jen.Code{jen.Var().Id("invalid").Int64().Comment("records with invalid text (the text policy), counted as they decode")}
		countBad = []jen.Code{textCount(nil, false)}
		countOK = []jen.Code{textCount(jen.Id("d").Dot("json"), true)}
		setCount = []jen.Code{jen.Id("b").Dot("InvalidText").Op("=").Id("invalid")}
	}
	g.f.Comment("decode decodes the lines of b into b.Decoded.")
	g.f.Func().Params(jen.Id("d").Op("*").Id(decoder)).Id("decode").Params(jen.Id("b").Op("*").Add(rt("connector.LineBatch"))).BlockFunc(func(body *jen.Group) {
		body.List(jen.Id("out"), jen.Id("_")).Op(":=").Id("b").Dot("Decoded").Assert(jen.Op("*").Id(decoded))
		body.If(jen.Id("out").Op("==").Nil()).Block(
			jen.Id("out").Op("=").New(jen.Id(decoded)),
			jen.Id("b").Dot("Decoded").Op("=").Id("out"))
		body.Clear(jen.Id("out").Dot("errs")).Comment("drop the errors of the batch before")
		body.List(jen.Id("rows"), jen.Id("lines")).Op(":=").List(jen.Id("out").Dot("rows").Index(jen.Empty(), jen.Lit(0)), jen.Id("out").Dot("lines").Index(jen.Empty(), jen.Lit(0)))
		body.List(jen.Id("out").Dot("bad"), jen.Id("out").Dot("errs")).Op("=").List(jen.Id("out").Dot("bad").Index(jen.Empty(), jen.Lit(0)), jen.Id("out").Dot("errs").Index(jen.Empty(), jen.Lit(0)))
		body.Add(count...)
		body.For(jen.List(jen.Id("i"), jen.Id("line")).Op(":=").Range().Id("b").Dot("Lines")).BlockFunc(func(loop *jen.Group) {
			loop.Id("rows").Op("=").Append(jen.Id("rows"), jen.Id(s.rowType).Values())
			loop.If(jen.Id("err").Op(":=").Id(decode).Call(decArgs...), jen.Id("err").Op("!=").Nil()).BlockFunc(func(bad *jen.Group) {
				bad.Id("rows").Op("=").Id("rows").Index(jen.Empty(), jen.Len(jen.Id("rows")).Op("-").Lit(1))
				bad.Add(countBad...)
				bad.If(jen.Id("err").Op("!=").Id("errHeader")).Block(
					jen.Id("out").Dot("bad").Op("=").Append(jen.Id("out").Dot("bad"), jen.Int32().Call(jen.Id("i"))),
					jen.Id("out").Dot("errs").Op("=").Append(jen.Id("out").Dot("errs"), jen.Id("err")))
				bad.Continue()
			})
			loop.Add(countOK...)
			loop.Id("lines").Op("=").Append(jen.Id("lines"), jen.Int32().Call(jen.Id("i")))
		})
		body.List(jen.Id("out").Dot("rows"), jen.Id("out").Dot("lines")).Op("=").List(jen.Id("rows"), jen.Id("lines"))
		body.Add(setCount...)
	})
	g.f.Line()
	g.f.Comment(fmt.Sprintf("processDecoded%s processes a batch of source %s that a %s decoded.", s.goName, name, decoder))
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("processDecoded"+s.goName).Params(jen.Id("b").Op("*").Add(rt("connector.LineBatch"))).Block(
		jen.Id("out").Op(":=").Id("b").Dot("Decoded").Assert(jen.Op("*").Id(decoded)),
		jen.For(jen.List(jen.Id("k"), jen.Id("i")).Op(":=").Range().Id("out").Dot("bad")).Block(
			jen.Id("p").Dot("ctx").Dot("Malformed").Call(jen.Lit(s.idx), jen.Id("b"), jen.Int().Call(jen.Id("i")), jen.Id("out").Dot("errs").Index(jen.Id("k")))),
		jen.Id("p").Dot("Process"+s.goName).Call(jen.Id("out").Dot("rows"), jen.Id("b"), jen.Id("out").Dot("lines")),
	)
	g.f.Line()
}

// jsonDecoder generates decode<Row>JSON.
func (g *generator) jsonDecoder(s *sourceInfo) {
	var cases []jen.Code
	var checks []jen.Code
	var seenVars []jen.Code
	var names []jen.Code // the keys, numbered for Scanner.NextCol
	// The NOT NULL columns met are bits of one word when they fit: one
	// variable to keep across the Scanner's calls, not one per column.
	notNull := 0
	for i, c := range s.src.Schema {
		if !s.isMeta(i) && !c.Type.Nullable {
			notNull++
		}
	}
	mask := notNull <= 64
	bit := 0
	var valueCols []int // the columns that are keys of the object, in order
	for i := range s.src.Schema {
		if !s.isMeta(i) {
			valueCols = append(valueCols, i)
		}
	}
	falls := false // some case goes on to the next column's
	for col, i := range valueCols {
		c := s.src.Schema[i]
		names = append(names, jen.Lit(c.Name))
		field := jen.Id("r").Dot(s.fields[i])
		seen := fmt.Sprintf("seen%d", i)
		var body []jen.Code
		if !c.Type.Nullable {
			setSeen := jen.Id(seen).Op("=").True()
			isMissing := jen.Op("!").Id(seen)
			if mask {
				setSeen = jen.Id("seen").Op("|=").Lit(1).Op("<<").Lit(bit)
				isMissing = jen.Id("seen").Op("&").Parens(jen.Lit(1).Op("<<").Lit(bit)).Op("==").Lit(0)
				bit++
			} else {
				seenVars = append(seenVars, jen.Id(seen).Op(":=").False())
			}
			isNull := jen.Id("s").Dot("ValueIsNull").Call()
			if !s.needed[i] {
				isNull = jen.Op("!").Id("s").Dot("SkipNotNull").Call() // checked and skipped in one call
			}
			body = append(body,
				jen.If(isNull).Block(
					jen.Return(jen.Qual("errors", "New").Call(jen.Lit(fmt.Sprintf("column %q is NOT NULL but the record has null", c.Name))))),
				setSeen)
			checks = append(checks, jen.If(isMissing).Block(
				jen.Return(jen.Qual("errors", "New").Call(jen.Lit(fmt.Sprintf("missing NOT NULL column %q", c.Name))))))
			if s.needed[i] {
				body = append(body, jen.Add(field).Op("=").Add(jsonValue(c.Type.Kind, i, g.borrowed(s, i))))
			}
		} else if s.needed[i] {
			body = append(body, jen.If(jen.Op("!").Id("s").Dot("ValueIsNull").Call()).Block(
				jen.Add(field).Op("=").Add(rt("value.Of")).Call(jsonValue(c.Type.Kind, i, g.borrowed(s, i)))))
		} else {
			body = append(body, jen.Id("s").Dot("Skip").Call())
		}
		// Files write their keys in one order, mostly the columns': the
		// next column's key is tried first, with one comparison.
		if col+1 < len(valueCols) {
			if name := s.src.Schema[valueCols[col+1]].Name; plainKey(name) {
				// the next case is the next column's: fall into it
				body = append(body, fallIntoKey(name)...)
				falls = true
			}
		} else {
			body = append(body, jen.If(jen.Id("s").Dot("End").Call()).Block(jen.Break().Id("decode")))
		}
		cases = append(cases, jen.Case(jen.Lit(col)).Block(append([]jen.Code{jen.Comment(commentLines(c.Name)[0])}, body...)...))
	}
	// A key no column has is skipped. It comes first, so that it may fall
	// into the first column's case: a file's own leading keys (a type tag)
	// are followed by the columns' keys, in their order.
	other := []jen.Code{jen.Comment("a key no column has"), jen.Id("s").Dot("Skip").Call()}
	if len(valueCols) > 0 {
		if name := s.src.Schema[valueCols[0]].Name; plainKey(name) {
			other = append(other, fallIntoKey(name)...)
			falls = true
		}
	}
	cases = append([]jen.Code{jen.Default().Block(other...)}, cases...)
	keys := "jsonKeys" + s.rowType
	g.f.Comment(fmt.Sprintf("%s numbers the keys decode%sJSON reads.", keys, s.rowType))
	g.f.Var().Id(keys).Op("=").Add(rt("jsonl.NewKeys")).Call(names...)
	g.f.Line()
	next := jen.Id("s").Dot("NextCol").Call(jen.Id(keys))
	body := append([]jen.Code{jen.Id("s").Dot("Reset").Call(jen.Id("line"))}, seenVars...)
	if mask && notNull > 0 {
		body = append(body, jen.Var().Id("seen").Uint64().Comment("bit k: the k-th NOT NULL column was met"))
	}
	sw := jen.Switch(jen.Id("c")).Block(cases...)
	if falls {
		sw = jen.Comment("A case that finds the next column's key right after its value falls").Line().
			Comment("into that column's case: one comparison, where NextCol makes a guess.").Line().Add(sw)
	}
	loop := jen.For(jen.List(jen.Id("c"), jen.Id("ok")).Op(":=").Add(next), jen.Id("ok"), jen.List(jen.Id("c"), jen.Id("ok")).Op("=").Add(next)).Block(sw)
	if len(valueCols) > 0 {
		loop = jen.Id("decode").Op(":").Add(loop)
	}
	body = append(body,
		loop,
		jen.If(jen.Id("err").Op(":=").Id("s").Dot("Err").Call(), jen.Id("err").Op("!=").Nil()).Block(jen.Return(jen.Id("err"))),
	)
	if mask && notNull > 0 {
		all := uint64(1)<<notNull - 1
		if notNull == 64 {
			all = ^uint64(0)
		}
		body = append(body, jen.If(jen.Id("seen").Op("!=").Id(fmt.Sprintf("%#x", all))).Block(checks...))
	} else {
		body = append(body, checks...)
	}
	body = append(body, jen.Return(jen.Nil()))
	g.f.Comment(fmt.Sprintf("decode%sJSON decodes one JSON object into r, which must be zero.", s.rowType))
	g.f.Func().Id("decode"+s.rowType+"JSON").Params(
		jen.Id("s").Op("*").Add(rt("jsonl.Scanner")), jen.Id("in").Op("*").Add(rt("jsonl.Interner")), jen.Id("line").Index().Byte(), jen.Id("r").Op("*").Id(s.rowType),
	).Error().Block(body...)
	g.f.Line()
}

// fallIntoKey ends a decoder's case with a try of the key of the column
// whose case comes next (name, a plainKey): when the text right after the
// value is that key, it is taken and the case falls into the next one.
func fallIntoKey(name string) []jen.Code {
	tok := `,"` + name + `":`
	lit := jen.Lit(tok)
	if !strings.Contains(tok, "`") {
		lit = jen.Op("`" + tok + "`") // a raw string reads better
	}
	return []jen.Code{
		jen.If(jen.String().Call(jen.Id("s").Dot("Ahead").Call(jen.Lit(len(tok)))).Op("!=").Add(lit)).Block(jen.Break()),
		jen.Id("s").Dot("TakeKey").Call(jen.Lit(len(tok))),
		jen.Fallthrough(),
	}
}

// plainKey tells whether name is written in JSON as it is, between quotes:
// printable ASCII without '"' and '\\'.
func plainKey(name string) bool {
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// borrowed tells whether the decoder of source s hands string column i on
// as a view of the read buffer (physical.Plan.Borrowed).
func (g *generator) borrowed(s *sourceInfo, i int) bool {
	return s.idx < len(g.plan.Borrowed) && g.plan.Borrowed[s.idx][i]
}

// jsonValue reads the value of column i, of kind k. Strings go through the
// interner column by column, so that it can tell repeating values from unique
// ones; a borrowed string (physical.Plan.Borrowed) is a view of the line, with
// no copy and no interner, unless it has escapes (jsonl.Scanner.StrView).
func jsonValue(k types.Kind, i int, borrowed bool) jen.Code {
	if k.IsWideDecimal() {
		return jen.Id("s").Dot("Decimal128").Call(jen.Lit(k.Prec()), jen.Lit(k.Scale()))
	}
	if k.IsDecimal() {
		return jen.Id("s").Dot("Decimal").Call(jen.Lit(k.Prec()), jen.Lit(k.Scale()))
	}
	switch k {
	case types.Bool:
		return jen.Id("s").Dot("Bool").Call()
	case types.Float:
		return jen.Id("s").Dot("Float64").Call()
	case types.String:
		if borrowed {
			return jen.Id("s").Dot("StrView").Call()
		}
		return jen.Id("in").Dot("Column").Call(jen.Lit(i), jen.Id("s").Dot("Str").Call())
	case types.Timestamp:
		return jen.Id("s").Dot("Timestamp").Call()
	}
	return jen.Id("s").Dot("Int64").Call()
}

func (g *generator) csvDecoder(s *sourceInfo) {
	var cols []int // the columns that are fields, in order
	for i := range s.src.Schema {
		if !s.isMeta(i) {
			cols = append(cols, i)
		}
	}
	n := len(cols)
	body := []jen.Code{
		jen.List(jen.Id("f"), jen.Id("err")).Op(":=").Id("sp").Dot("Split").Call(jen.Id("line")),
		jen.If(jen.Id("err").Op("!=").Nil()).Block(jen.Return(jen.Id("err"))),
		jen.If(jen.Len(jen.Id("f")).Op("!=").Lit(n)).Block(
			jen.Return(jen.Qual("fmt", "Errorf").Call(jen.Lit(fmt.Sprintf("expected %d fields, found %%d", n)), jen.Len(jen.Id("f"))))),
	}
	// a first line that names the columns is a header
	header := jen.Id("lineNo").Op("==").Lit(int64(1))
	for fi, i := range cols {
		header = header.Op("&&").String().Call(jen.Id("f").Index(jen.Lit(fi))).Op("==").Lit(s.src.Schema[i].Name)
	}
	body = append(body, jen.If(header).Block(jen.Return(jen.Id("errHeader"))))
	for fIdx, i := range cols {
		c := s.src.Schema[i]
		fi := jen.Id("f").Index(jen.Lit(fIdx))
		isNull := jen.Len(fi).Op("==").Lit(0).Op("&&").Op("!").Id("sp").Dot("Quoted").Call(jen.Lit(fIdx))
		field := jen.Id("r").Dot(s.fields[i])
		var parse []jen.Code
		var val jen.Code
		if c.Type.Kind == types.String {
			val = jen.Id("in").Dot("Column").Call(jen.Lit(i), jen.Id("f").Index(jen.Lit(fIdx)))
		} else {
			fn := map[types.Kind]string{types.Int: "csvrow.ParseInt64", types.Interval: "csvrow.ParseInt64", types.Float: "csvrow.ParseFloat64",
				types.Bool: "csvrow.ParseBool", types.Timestamp: "csvrow.ParseTimestamp"}[c.Type.Kind]
			args := []jen.Code{jen.Id("f").Index(jen.Lit(fIdx))}
			if k := c.Type.Kind; k.IsDecimal() {
				fn, args = "csvrow.ParseDecimal", append(args, jen.Lit(k.Prec()), jen.Lit(k.Scale()))
				if k.IsWideDecimal() {
					fn = "csvrow.ParseDecimal128"
				}
			}
			parse = append(parse,
				jen.List(jen.Id("v"), jen.Id("err")).Op(":=").Add(rt(fn)).Call(args...),
				jen.If(jen.Id("err").Op("!=").Nil()).Block(
					jen.Return(jen.Qual("fmt", "Errorf").Call(jen.Lit(fmt.Sprintf("column %q: %%w", c.Name)), jen.Id("err")))))
			val = jen.Id("v")
		}
		if c.Type.Nullable {
			val = rt("value.Of").Call(val)
		}
		assign := append(parse, jen.Add(field).Op("=").Add(val))
		if !c.Type.Nullable {
			body = append(body, jen.If(isNull).Block(
				jen.Return(jen.Qual("errors", "New").Call(jen.Lit(fmt.Sprintf("column %q is NOT NULL but the field is empty", c.Name))))))
			if s.needed[i] {
				body = append(body, jen.Block(assign...))
			}
		} else if s.needed[i] {
			body = append(body, jen.If(jen.Op("!").Parens(isNull)).Block(assign...))
		}
	}
	body = append(body, jen.Return(jen.Nil()))
	g.f.Comment(fmt.Sprintf("decode%sCSV decodes one CSV record into r, which must be zero.", s.rowType))
	g.f.Func().Id("decode"+s.rowType+"CSV").Params(
		jen.Id("sp").Op("*").Add(rt("csvrow.Splitter")), jen.Id("in").Op("*").Add(rt("jsonl.Interner")), jen.Id("line").Index().Byte(),
		jen.Id("r").Op("*").Id(s.rowType), jen.Id("lineNo").Int64(),
	).Error().Block(body...)
	g.f.Line()
}

// isMeta tells whether column i is a metadata column (METADATA FROM).
func (s *sourceInfo) isMeta(i int) bool { return s.src.Metadata != nil && s.src.Metadata[i] != "" }

// metaDecoder generates decode<Row>: the record's value through the
// format's decoder, then the metadata columns from the batch.
func (g *generator) metaDecoder(s *sourceInfo) {
	params := []jen.Code{jen.Id("s").Op("*").Add(rt("jsonl.Scanner")), jen.Id("in").Op("*").Add(rt("jsonl.Interner")), jen.Id("line").Index().Byte(), jen.Id("r").Op("*").Id(s.rowType)}
	args := []jen.Code{jen.Id("s"), jen.Id("in"), jen.Id("line"), jen.Id("r")}
	inner := "decode" + s.rowType + "JSON"
	if s.src.Format == "csv" {
		params[0] = jen.Id("s").Op("*").Add(rt("csvrow.Splitter"))
		params = append(params, jen.Id("lineNo").Int64())
		args = append(args, jen.Id("lineNo"))
		inner = "decode" + s.rowType + "CSV"
	}
	params = append(params, jen.Id("b").Op("*").Add(rt("connector.LineBatch")), jen.Id("i").Int())
	body := []jen.Code{jen.If(jen.Id("err").Op(":=").Id(inner).Call(args...), jen.Id("err").Op("!=").Nil()).Block(jen.Return(jen.Id("err")))}
	for i, c := range s.src.Schema {
		key := ""
		if s.src.Metadata != nil {
			key = s.src.Metadata[i]
		}
		if key == "" {
			continue
		}
		var get string
		val := jen.Id("v")
		switch c.Type.Kind {
		case types.String:
			get = "MetaBytes"
			val = jen.Id("in").Dot("Column").Call(jen.Lit(i), jen.Id("v"))
		case types.Timestamp:
			get = "MetaTimestamp"
		default:
			get = "MetaInt64"
		}
		if c.Type.Nullable {
			val = rt("value.Of").Call(val)
		}
		st := jen.If(jen.List(jen.Id("v"), jen.Id("ok")).Op(":=").Id("b").Dot(get).Call(jen.Lit(key), jen.Id("i")), jen.Id("ok")).Block(
			jen.Id("r").Dot(s.fields[i]).Op("=").Add(val))
		if !c.Type.Nullable {
			st = st.Else().Block(jen.Return(jen.Qual("errors", "New").Call(jen.Lit(fmt.Sprintf("column %q is NOT NULL but the record has no %s", c.Name, key)))))
		}
		body = append(body, st)
	}
	body = append(body, jen.Return(jen.Nil()))
	g.f.Comment(fmt.Sprintf("decode%s decodes record i of batch b into r, which must be zero: its value, then its metadata columns.", s.rowType))
	g.f.Func().Id("decode" + s.rowType).Params(params...).Error().Block(body...)
	g.f.Line()
}
