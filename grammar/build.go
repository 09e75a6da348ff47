package grammar

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/antlr4-go/antlr/v4"

	"github.com/laminar-sql/laminar/compiler/ast"
	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/grammar/parser"
)

// builder turns a statement's parse tree into AST nodes. It reports literals
// it cannot read (LDB-1002) and constructs outside the dialect (LDB-1003), and
// keeps going after one so that a statement's problems are reported together.
type builder struct {
	pos   *positions
	diags *diag.List
	// windows are the named windows (WINDOW w AS (…)) of the SELECTs being
	// built, innermost last
	windows []map[string]*ast.Over
}

func (b *builder) tokPos(tok antlr.Token) ast.Pos { return b.pos.of(tok.GetStart()) }

func (b *builder) at(ctx antlr.ParserRuleContext) ast.Pos { return b.tokPos(ctx.GetStart()) }

func (b *builder) unsupported(at ast.Pos, format string, args ...any) {
	b.diags.Errorf(diag.UnsupportedSyntax, at, format, args...)
}

// ---------------------------------------------------------------- statements

func (b *builder) statement(ctx parser.IStatementContext) ast.Stmt {
	switch {
	case ctx.CreateSource() != nil:
		return b.createSource(ctx.CreateSource())
	case ctx.CreateView() != nil:
		c := ctx.CreateView()
		b.viewModifiers(c)
		return &ast.CreateView{Pos: b.at(c), Name: b.ident(c.Identifier()), With: b.with(c.WithClause()), Query: b.query(c.Query())}
	case ctx.CreateSink() != nil:
		c := ctx.CreateSink()
		sink := &ast.CreateSink{Pos: b.at(c), Name: b.ident(c.Identifier(0)), With: b.with(c.WithClause())}
		next := 1
		if c.FROM() != nil {
			from := b.ident(c.Identifier(1))
			sink.From = &from
			next = 2
		}
		if c.PARTITIONED() != nil {
			for _, id := range c.AllIdentifier()[next:] {
				sink.PartitionedBy = append(sink.PartitionedBy, b.ident(id))
			}
		}
		return sink
	case ctx.InsertInto() != nil:
		c := ctx.InsertInto()
		if o := c.OVERWRITE(); o != nil {
			d := b.diags.Errorf(diag.UnsupportedSyntax, b.tokPos(o.GetSymbol()), "INSERT OVERWRITE is not supported: a sink receives a stream of rows")
			d.Hint = "write INSERT INTO sink SELECT …; an updating view's sink receives its changes (\"_op\")"
		}
		return &ast.Insert{Pos: b.at(c), Sink: b.ident(c.Identifier()), Query: b.query(c.Query())}
	case ctx.CreateTable() != nil:
		return b.createTable(ctx.CreateTable())
	case ctx.CreateFunction() != nil:
		return b.createFunction(ctx.CreateFunction())
	case ctx.ShowStatement() != nil:
		d := b.diags.Errorf(diag.UnsupportedSyntax, b.at(ctx), "SHOW is not a statement of a pipeline")
		d.Hint = "laminarc explain file.sql shows its sources, views, sinks and plan; laminarc status (or the job's /status) a running job"
	case ctx.SetStatement() != nil:
		o := ctx.SetStatement().Option()
		return &ast.Set{Pos: b.at(ctx), Option: ast.Option{Pos: b.at(o), Key: b.optionKey(o.OptionKey()), Value: b.optionValue(o.OptionValue())}}
	case ctx.OtherStatement() != nil:
		b.otherStatement(ctx.OtherStatement())
	case ctx.ExplainStatement() != nil:
		d := b.diags.Errorf(diag.UnsupportedSyntax, b.at(ctx), "EXPLAIN is not a statement of a pipeline")
		d.Hint = "run laminarc explain file.sql (laminarc explain --analyze summary.json after a run)"
	case ctx.Query() != nil:
		b.unsupported(b.at(ctx), "a query must be part of CREATE MATERIALIZED VIEW name AS ... or INSERT INTO sink ...")
	}
	return nil
}

func (b *builder) createSource(ctx parser.ICreateSourceContext) *ast.CreateSource {
	src := &ast.CreateSource{Pos: b.at(ctx), Name: b.ident(ctx.Identifier()), With: b.with(ctx.WithClause())}
	return b.sourceElements(src, ctx.AllSourceElement())
}

// createTable reads CREATE TABLE, a lookup table or a sink (the binder
// tells which): a source's shape, and a sink's PARTITIONED BY.
func (b *builder) createTable(ctx parser.ICreateTableContext) *ast.CreateSource {
	src := &ast.CreateSource{Pos: b.at(ctx), Name: b.ident(ctx.Identifier(0)), With: b.with(ctx.WithClause()), Table: true}
	for _, id := range ctx.AllIdentifier()[1:] {
		src.PartitionedBy = append(src.PartitionedBy, b.ident(id))
	}
	b.sourceElements(src, ctx.AllSourceElement())
	if src.Watermark != nil {
		b.unsupported(src.Watermark.Pos, "a lookup table (CREATE TABLE) has no WATERMARK: joins read it by key; declare a stream with CREATE SOURCE")
		return nil
	}
	return src
}

func (b *builder) sourceElements(src *ast.CreateSource, els []parser.ISourceElementContext) *ast.CreateSource {
	for _, el := range els {
		switch el := el.(type) {
		case *parser.ColumnElementContext:
			col := ast.ColumnDef{
				Pos:     b.at(el),
				Name:    b.ident(el.Identifier()),
				Type:    b.typeName(el.TypeName()),
				NotNull: el.NOT() != nil,
			}
			if m := el.METADATA(); m != nil {
				col.Metadata = &ast.MetadataRef{Pos: b.tokPos(m.GetSymbol()), Key: col.Name.Name}
				if s := el.STRING(); s != nil {
					col.Metadata.Pos = b.tokPos(s.GetSymbol())
					col.Metadata.Key = unquote(s.GetText(), '\'')
				}
			}
			src.Columns = append(src.Columns, col)
		case *parser.ComputedElementContext:
			// `p AS PROCTIME()`: a column computed, not read (the binder says which it runs)
			src.Columns = append(src.Columns, ast.ColumnDef{Pos: b.at(el), Name: b.ident(el.Identifier()), Computed: b.expr(el.Expr())})
		case *parser.PrimaryKeyElementContext:
			if src.PrimaryKey != nil {
				b.diags.Errorf(diag.SyntaxError, b.at(el), "a source declares at most one PRIMARY KEY")
				continue
			}
			src.PrimaryKeyPos = b.at(el)
			for _, id := range el.AllIdentifier() {
				src.PrimaryKey = append(src.PrimaryKey, b.ident(id))
			}
		case *parser.UniqueElementContext:
			if el.ENFORCED() == nil {
				d := b.diags.Errorf(diag.SyntaxError, b.at(el), "UNIQUE in a CREATE SOURCE is written UNIQUE (cols) NOT ENFORCED")
				d.Hint = "Laminar does not check it: it trusts that no two rows share the columns (docs/dialect.md)"
				continue
			}
			u := ast.UniqueDecl{Pos: b.at(el)}
			for _, id := range el.AllIdentifier() {
				u.Columns = append(u.Columns, b.ident(id))
			}
			src.Unique = append(src.Unique, u)
		case *parser.WatermarkElementContext:
			if src.Watermark != nil {
				b.diags.Errorf(diag.SyntaxError, b.at(el), "a source declares at most one WATERMARK")
				continue
			}
			src.Watermark = &ast.Watermark{Pos: b.at(el), Column: b.ident(el.Identifier()), Expr: b.expr(el.Expr())}
		}
	}
	return src
}

func (b *builder) with(ctx parser.IWithClauseContext) []ast.Option {
	if ctx == nil {
		return nil
	}
	var opts []ast.Option
	for _, o := range ctx.AllOption() {
		opts = append(opts, ast.Option{Pos: b.at(o), Key: b.optionKey(o.OptionKey()), Value: b.optionValue(o.OptionValue())})
	}
	return opts
}

// optionKey is `connector`, `'connector'` or a dotted `kafka.bootstrap.servers`;
// keys are case-insensitive, so always lower-cased.
func (b *builder) optionKey(ctx parser.IOptionKeyContext) string {
	if s := ctx.STRING(); s != nil {
		return strings.ToLower(unquote(s.GetText(), '\''))
	}
	var parts []string
	for _, id := range ctx.AllIdentifier() {
		parts = append(parts, strings.ToLower(b.ident(id).Name))
	}
	return strings.Join(parts, ".")
}

func (b *builder) optionValue(ctx parser.IOptionValueContext) string {
	switch {
	case ctx.STRING() != nil:
		return unquote(ctx.STRING().GetText(), '\'')
	case ctx.Identifier() != nil:
		return b.ident(ctx.Identifier()).Name
	case ctx.TRUE() != nil:
		return "true"
	case ctx.FALSE() != nil:
		return "false"
	}
	return ctx.GetText() // a number, with its sign
}

func (b *builder) typeName(ctx parser.ITypeNameContext) ast.TypeName {
	t := ast.TypeName{Pos: b.at(ctx)}
	if ctx.PRECISION() != nil {
		t.Name = "DOUBLE" // DOUBLE PRECISION
		return t
	}
	t.Name = strings.ToUpper(ctx.TypeWord().GetText())
	for _, n := range ctx.AllINTEGER() {
		v, err := strconv.Atoi(n.GetText())
		if err != nil || v > 1<<31-1 {
			b.diags.Errorf(diag.BadLiteral, b.tokPos(n.GetSymbol()), "type argument %s is out of range", n.GetText())
			continue
		}
		t.Args = append(t.Args, v)
	}
	return t
}

// ident folds unquoted names to lower case; quoted ones keep case and any
// character, with the doubled quote unescaped.
func (b *builder) ident(ctx antlr.ParserRuleContext) ast.Ident {
	tok := ctx.GetStart()
	id := ast.Ident{Pos: b.tokPos(tok)}
	text := tok.GetText()
	switch tok.GetTokenType() {
	case parser.LaminarSQLLexerQUOTED_IDENT:
		id.Name, id.Quoted = unquote(text, '"'), true
	case parser.LaminarSQLLexerBACKTICK_IDENT:
		id.Name, id.Quoted = unquote(text, '`'), true
	default:
		id.Name = strings.ToLower(text)
	}
	if id.Quoted && id.Name == "" {
		b.diags.Errorf(diag.SyntaxError, id.Pos, "a quoted name cannot be empty")
	}
	return id
}

// unquote strips the quotes around a string or quoted name and turns each
// doubled quote inside into one.
func unquote(text string, quote byte) string {
	if len(text) >= 2 {
		text = text[1 : len(text)-1]
	}
	q := string(quote)
	return strings.ReplaceAll(text, q+q, q)
}

// ---------------------------------------------------------------- queries

func (b *builder) query(ctx parser.IQueryContext) *ast.Select {
	cores := ctx.AllSelectCore()
	sel := b.selectCore(cores[0])
	if o := ctx.OrderByClause(); o != nil {
		sel.OrderPos = b.at(o)
		sel.OrderBy = b.sortItems(o)
	}
	if l := ctx.LimitClause(); l != nil {
		sel.LimitPos = b.at(l)
		sel.Limit = b.expr(l.Expr())
	}
	if cte := ctx.CteClause(); cte != nil {
		names, queries := cte.AllIdentifier(), cte.AllQuery()
		for i := range names {
			sel.With = append(sel.With, ast.CTE{Name: b.ident(names[i]), Query: b.query(queries[i])})
		}
	}
	if e := ctx.EmitClause(); e != nil {
		sel.EmitPos = b.at(e)
		switch m := e.EmitMode().(type) {
		case *parser.EmitOnWindowCloseContext:
			sel.Emit = ast.EmitOnWindowClose
		case *parser.EmitChangesContext:
			sel.Emit = ast.EmitChanges
		case *parser.EmitAfterWatermarkContext:
			sel.Emit = ast.EmitAfterWatermark
		case *parser.EmitPeriodicallyContext:
			if m.Expr() == nil {
				b.diags.Errorf(diag.SyntaxError, sel.EmitPos, "EMIT PERIODICALLY needs an interval: EMIT PERIODICALLY INTERVAL '10' SECOND")
				break
			}
			sel.Emit, sel.Period = ast.EmitPeriodically, b.expr(m.Expr())
		}
	}
	if l := ctx.LatenessClause(); l != nil {
		sel.LatenessPos, sel.Lateness = b.at(l), b.expr(l.Expr())
	}
	for i, op := range ctx.AllSetOperator() {
		if op.UNION() == nil {
			b.unsupported(b.at(op), "%s is not supported yet: UNION and UNION ALL are", strings.ToUpper(op.GetStart().GetText()))
			continue
		}
		arm := b.selectCore(cores[i+1])
		// the query's EMIT clause applies to every SELECT of the union
		arm.Emit, arm.EmitPos, arm.Period = sel.Emit, sel.EmitPos, sel.Period
		arm.Lateness, arm.LatenessPos = sel.Lateness, sel.LatenessPos
		sel.SetOps = append(sel.SetOps, ast.SetOp{Pos: b.at(op), Distinct: op.ALL() == nil, Query: arm})
	}
	return sel
}

func (b *builder) selectCore(ctx parser.ISelectCoreContext) *ast.Select {
	sel := &ast.Select{Pos: b.at(ctx), Distinct: ctx.DISTINCT() != nil}
	b.windows = append(b.windows, b.namedWindows(ctx.AllNamedWindow()))
	defer func() { b.windows = b.windows[:len(b.windows)-1] }()
	for _, it := range ctx.AllSelectItem() {
		sel.Items = append(sel.Items, b.selectItem(it))
	}
	rels := ctx.AllRelation()
	sel.From = b.relation(rels[0])
	for _, r := range rels[1:] {
		// FROM a, b is a cross join; WHERE says how the rows match
		sel.From = &ast.Join{Pos: b.at(r), Kind: ast.CrossJoin, Left: sel.From, Right: b.relation(r)}
	}
	if w := ctx.GetWhere(); w != nil {
		sel.Where = b.expr(w)
	}
	if ctx.GROUP() != nil {
		for _, e := range ctx.AllExpr() {
			if e == ctx.GetWhere() || e == ctx.GetHaving() || e == ctx.GetQualify() {
				continue
			}
			sel.GroupBy = append(sel.GroupBy, b.expr(e))
		}
	}
	if h := ctx.GetHaving(); h != nil {
		sel.Having = b.expr(h)
	}
	if q := ctx.GetQualify(); q != nil {
		sel.Qualify = b.expr(q)
	}
	return sel
}

func (b *builder) selectItem(ctx parser.ISelectItemContext) ast.SelectItem {
	item := ast.SelectItem{Pos: b.at(ctx)}
	switch it := ctx.(type) {
	case *parser.StarItemContext:
		item.Star = true
	case *parser.QualifiedStarItemContext:
		q := b.ident(it.Identifier())
		item.Star, item.StarOf = true, &q
	case *parser.ExprItemContext:
		item.Expr = b.expr(it.Expr())
		if it.Identifier() != nil {
			alias := b.ident(it.Identifier())
			item.Alias = &alias
		} else if it.StrictIdentifier() != nil {
			alias := b.ident(it.StrictIdentifier())
			item.Alias = &alias
		}
	}
	return item
}

// relation reads a FROM item and its JOINs, left-deep: a JOIN b JOIN c is
// (a JOIN b) JOIN c.
func (b *builder) relation(ctx parser.IRelationContext) ast.TableRef {
	out := b.tableRef(ctx.TableRef())
	for _, j := range ctx.AllJoinClause() {
		jc := j.(*parser.JoinClauseContext)
		join := &ast.Join{Pos: b.at(j), Kind: ast.InnerJoin, Left: out, Right: b.tableRef(jc.TableRef())}
		switch {
		case jc.CROSS() != nil:
			join.Kind = ast.CrossJoin
		case len(jc.AllLEFT()) > 1:
			b.diags.Errorf(diag.SyntaxError, join.Pos, "LEFT is written once: LEFT ASOF JOIN or ASOF LEFT JOIN")
		case len(jc.AllLEFT()) == 1:
			join.Kind = ast.LeftJoin
		case jc.RIGHT() != nil:
			join.Kind = ast.RightJoin
		case jc.FULL() != nil:
			join.Kind = ast.FullJoin
		}
		join.Asof = jc.ASOF() != nil
		if join.Asof && join.Kind != ast.InnerJoin && join.Kind != ast.LeftJoin {
			b.diags.Errorf(diag.UnsupportedSyntax, join.Pos, "an ASOF join is INNER or LEFT: each left row meets at most one right row")
		}
		if jc.GetMatch() != nil {
			join.Match = b.expr(jc.GetMatch())
		}
		if jc.GetTolerance() != nil {
			join.Tolerance = b.additive(jc.GetTolerance())
		}
		if (join.Match != nil || join.Tolerance != nil) && !join.Asof {
			b.diags.Errorf(diag.SyntaxError, join.Pos, "MATCH_CONDITION and TOLERANCE belong to an ASOF JOIN")
		}
		if jc.GetAsOf() != nil {
			join.AsOf = b.additive(jc.GetAsOf())
			if a := b.alias(jc.TableAlias()); a != nil {
				if tn, ok := join.Right.(*ast.TableName); ok && tn.Alias == nil {
					tn.Alias = a
				} else {
					b.diags.Errorf(diag.SyntaxError, a.Pos, "the table of a temporal join has one alias")
				}
			}
		}
		switch {
		case join.Asof && join.Match != nil && jc.GetOn() == nil && jc.USING() == nil:
			// MATCH_CONDITION alone: every left row against the whole right input
		case jc.GetOn() != nil:
			join.On = b.expr(jc.GetOn())
		case jc.USING() != nil:
			for _, id := range jc.AllIdentifier() {
				join.Using = append(join.Using, b.ident(id))
			}
		case join.Kind != ast.CrossJoin:
			b.diags.Errorf(diag.SyntaxError, join.Pos, "JOIN needs ON or USING (or write CROSS JOIN)")
		}
		if join.Kind == ast.CrossJoin && (join.On != nil || join.Using != nil) {
			b.diags.Errorf(diag.SyntaxError, join.Pos, "CROSS JOIN takes no ON or USING")
		}
		out = join
	}
	return out
}

func (b *builder) tableRef(ctx parser.ITableRefContext) ast.TableRef {
	switch t := ctx.(type) {
	case *parser.NamedTableRefContext:
		return &ast.TableName{Pos: b.at(t), Name: b.ident(t.Identifier()), Alias: b.alias(t.TableAlias())}
	case *parser.TableFunctionRefContext:
		return b.windowTVF(b.at(t), t.TableFunction(), b.alias(t.TableAlias()))
	case *parser.WrappedTableFunctionRefContext:
		return b.windowTVF(b.at(t), t.TableFunction(), b.alias(t.TableAlias()))
	case *parser.SubqueryRefContext:
		return &ast.Subquery{Pos: b.at(t), Query: b.query(t.Query()), Alias: b.alias(t.TableAlias())}
	}
	return nil
}

func (b *builder) alias(ctx parser.ITableAliasContext) *ast.Ident {
	if ctx == nil {
		return nil
	}
	var id ast.Ident
	if ctx.Identifier() != nil {
		id = b.ident(ctx.Identifier())
	} else {
		id = b.ident(ctx.StrictIdentifier())
	}
	return &id
}

// windowTVF reads TUMBLE(t, ts, size [, offset]) and HOP(t, ts, slide, size
// [, offset]), in the short form or Flink's TABLE t / DESCRIPTOR(ts) form.
func (b *builder) windowTVF(at ast.Pos, ctx parser.ITableFunctionContext, alias *ast.Ident) ast.TableRef {
	name := strings.ToUpper(ctx.FunctionName().GetText())
	w := &ast.WindowTVF{Pos: at, Alias: alias}
	var minArgs, maxArgs int
	var usage string
	switch name {
	case "TUMBLE":
		w.Kind, minArgs, maxArgs, usage = ast.Tumble, 3, 4, "TUMBLE(table, time_column, size [, offset])"
	case "HOP":
		w.Kind, minArgs, maxArgs, usage = ast.Hop, 4, 5, "HOP(table, time_column, slide, size [, offset])"
	case "SESSION":
		w.Kind, minArgs, maxArgs, usage = ast.Session, 3, 3, "SESSION(table, time_column, gap)"
	case "CUMULATE":
		w.Kind, minArgs, maxArgs, usage = ast.Cumulate, 4, 5, "CUMULATE(table, time_column, step, size [, offset])"
	case "LATE":
		return b.lateSource(at, ctx, alias)
	default:
		b.unsupported(b.at(ctx), "table function %s is not supported: FROM takes a table, TUMBLE(...), HOP(...), SESSION(...) or CUMULATE(...)", name)
		return nil
	}

	args := ctx.AllTableFunctionArg()
	if len(args) < minArgs || len(args) > maxArgs {
		count := fmt.Sprintf("%d or %d", minArgs, maxArgs)
		if minArgs == maxArgs {
			count = fmt.Sprint(minArgs)
		}
		b.diags.Errorf(diag.BadWindow, b.at(ctx), "%s takes %s arguments, not %d: %s",
			name, count, len(args), usage)
		return nil
	}
	ok := true
	for i, arg := range args {
		switch a := arg.(type) {
		case *parser.TableArgContext:
			if i != 0 {
				ok = false
				b.diags.Errorf(diag.SyntaxError, b.at(a), "TABLE may only introduce the first argument of %s: %s", name, usage)
				continue
			}
			w.Table = b.ident(a.Identifier())
			for _, e := range a.AllExpr() {
				w.Partition = append(w.Partition, b.expr(e))
			}
			if len(w.Partition) > 0 && w.Kind != ast.Session {
				ok = false
				b.diags.Errorf(diag.BadWindow, b.at(a), "PARTITION BY belongs to SESSION windows, not %s", name)
			}
		case *parser.DescriptorArgContext:
			if i != 1 {
				ok = false
				b.diags.Errorf(diag.SyntaxError, b.at(a), "DESCRIPTOR may only wrap the second argument of %s: %s", name, usage)
				continue
			}
			w.TimeCol = b.ident(a.Identifier())
		case *parser.ExprArgContext:
			e := b.expr(a.Expr())
			if i >= 2 {
				w.Args = append(w.Args, e)
				continue
			}
			ref, isName := e.(*ast.ColumnRef)
			if !isName || ref.Qualifier != nil {
				ok = false
				what := "a table name"
				if i == 1 {
					what = "a time column name"
				}
				b.diags.Errorf(diag.BadWindow, b.at(a), "argument %d of %s must be %s: %s", i+1, name, what, usage)
				continue
			}
			if i == 0 {
				w.Table = ref.Name
			} else {
				w.TimeCol = ref.Name
			}
		}
	}
	if !ok {
		return nil
	}
	return w
}

// ---------------------------------------------------------------- expressions

func (b *builder) expr(ctx parser.IExprContext) ast.Expr {
	ands := ctx.AllAndExpr()
	x := b.andExpr(ands[0])
	for _, a := range ands[1:] {
		x = &ast.Binary{Pos: x.Position(), Op: "OR", L: x, R: b.andExpr(a)}
	}
	return x
}

func (b *builder) andExpr(ctx parser.IAndExprContext) ast.Expr {
	nots := ctx.AllNotExpr()
	x := b.notExpr(nots[0])
	for _, n := range nots[1:] {
		x = &ast.Binary{Pos: x.Position(), Op: "AND", L: x, R: b.notExpr(n)}
	}
	return x
}

func (b *builder) notExpr(ctx parser.INotExprContext) ast.Expr {
	if ctx.NOT() != nil {
		return &ast.Unary{Pos: b.at(ctx), Op: "NOT", X: b.notExpr(ctx.NotExpr())}
	}
	return b.predicate(ctx.Predicate())
}

func (b *builder) predicate(ctx parser.IPredicateContext) ast.Expr {
	x := b.additive(ctx.Additive())
	at := x.Position()
	for _, suffix := range ctx.AllPredicateSuffix() {
		switch s := suffix.(type) {
		case *parser.CompareSuffixContext:
			op := s.CompareOp().GetText()
			if op == "!=" {
				op = "<>"
			}
			x = &ast.Binary{Pos: at, Op: op, L: x, R: b.additive(s.Additive())}
		case *parser.IsNullSuffixContext:
			x = &ast.IsNull{Pos: at, X: x, Not: s.NOT() != nil}
		case *parser.IsDistinctSuffixContext:
			x = &ast.IsDistinct{Pos: at, L: x, R: b.additive(s.Additive()), Not: s.NOT() != nil}
		case *parser.IsTruthSuffixContext:
			x = isTruth(at, x, s)
		case *parser.IlikeSuffixContext:
			// ILIKE is LIKE of both sides in lower case
			lower := func(e ast.Expr) ast.Expr { return &ast.Call{Pos: e.Position(), Name: "LOWER", Args: []ast.Expr{e}} }
			x = &ast.Like{Pos: at, X: lower(x), Pattern: lower(b.additive(s.Additive())), Not: s.NOT() != nil}
		case *parser.SimilarSuffixContext:
			d := b.diags.Errorf(diag.UnsupportedSyntax, b.at(s), "SIMILAR TO is not supported")
			d.Hint = "use LIKE, or REGEXP_LIKE(s, 'pattern') for a regular expression"
		case *parser.InSuffixContext:
			in := &ast.In{Pos: at, X: x, Not: s.NOT() != nil}
			for _, e := range s.AllExpr() {
				in.List = append(in.List, b.expr(e))
			}
			x = in
		case *parser.InQuerySuffixContext:
			x = &ast.InQuery{Pos: at, X: x, Query: b.query(s.Query()), Not: s.NOT() != nil}
		case *parser.BetweenSuffixContext:
			x = &ast.Between{Pos: at, X: x, Lo: b.additive(s.GetLo()), Hi: b.additive(s.GetHi()), Not: s.NOT() != nil}
		case *parser.LikeSuffixContext:
			x = &ast.Like{Pos: at, X: x, Pattern: b.additive(s.Additive()), Not: s.NOT() != nil}
		}
	}
	return x
}

// additive and multiplicative fold `a op b op c` to the left.
func (b *builder) additive(ctx parser.IAdditiveContext) ast.Expr {
	return b.foldLeft(ctx.GetChildren(), func(t antlr.Tree) ast.Expr {
		return b.multiplicative(t.(parser.IMultiplicativeContext))
	})
}

func (b *builder) multiplicative(ctx parser.IMultiplicativeContext) ast.Expr {
	return b.foldLeft(ctx.GetChildren(), func(t antlr.Tree) ast.Expr {
		return b.unary(t.(parser.IUnaryContext))
	})
}

// foldLeft reads children that alternate operand, operator, operand, ...
func (b *builder) foldLeft(children []antlr.Tree, operand func(antlr.Tree) ast.Expr) ast.Expr {
	x := operand(children[0])
	for i := 1; i+1 < len(children); i += 2 {
		op := children[i].(antlr.TerminalNode).GetText()
		x = &ast.Binary{Pos: x.Position(), Op: op, L: x, R: operand(children[i+1])}
	}
	return x
}

func (b *builder) unary(ctx parser.IUnaryContext) ast.Expr {
	if p := ctx.Primary(); p != nil {
		return b.primary(p)
	}
	return &ast.Unary{Pos: b.at(ctx), Op: ctx.GetStart().GetText(), X: b.unary(ctx.Unary())}
}

func (b *builder) primary(ctx parser.IPrimaryContext) ast.Expr {
	at := b.at(ctx)
	switch p := ctx.(type) {
	case *parser.LiteralExprContext:
		return b.literal(p.Literal())
	case *parser.ColumnExprContext:
		ids := p.AllIdentifier()
		if len(ids) == 1 {
			return &ast.ColumnRef{Pos: at, Name: b.ident(ids[0])}
		}
		q := b.ident(ids[0])
		return &ast.ColumnRef{Pos: at, Qualifier: &q, Name: b.ident(ids[1])}
	case *parser.ParenExprContext:
		return b.expr(p.Expr())
	case *parser.CallExprContext:
		call := &ast.Call{Pos: at, Name: strings.ToUpper(p.FunctionName().GetText()),
			Star: p.STAR() != nil, Distinct: p.DISTINCT() != nil}
		for _, e := range p.AllExpr() {
			call.Args = append(call.Args, b.expr(e))
		}
		if f := p.FilterClause(); f != nil {
			call.Filter = b.expr(f.Expr())
		}
		if o := p.OrderByClause(); o != nil {
			if call.Name != "FIRST_VALUE" && call.Name != "LAST_VALUE" {
				d := b.diags.Errorf(diag.UnsupportedSyntax, b.at(o), "ORDER BY inside %s(...) is not supported", call.Name)
				d.Hint = "FIRST_VALUE(x ORDER BY y) and LAST_VALUE(x ORDER BY y) take one; the others do not depend on order"
			}
			call.OrderBy = b.sortItems(o)
		}
		if w := p.WithinGroup(); w != nil {
			b.unsupported(b.at(w), "WITHIN GROUP (ordered-set aggregates) is not supported")
		}
		if over := p.OverClause(); over != nil {
			call.Over = b.over(over)
		}
		return call
	case *parser.CaseExprContext:
		c := &ast.Case{Pos: at}
		if op := p.GetOperand(); op != nil {
			c.Operand = b.expr(op)
		}
		for _, w := range p.AllWhenClause() {
			c.Whens = append(c.Whens, ast.When{Cond: b.expr(w.GetCond()), Result: b.expr(w.GetResult())})
		}
		if e := p.GetElseExpr(); e != nil {
			c.Else = b.expr(e)
		}
		return c
	case *parser.CastExprContext:
		return &ast.Cast{Pos: at, X: b.expr(p.Expr()), Type: b.typeName(p.TypeName())}
	case *parser.ExtractExprContext:
		field := b.ident(p.GetField())
		return &ast.Call{Pos: at, Name: "EXTRACT", Args: []ast.Expr{
			&ast.Literal{Pos: field.Pos, Kind: ast.LitString, Text: field.Name}, b.expr(p.Expr())}}
	case *parser.PositionExprContext:
		return &ast.Call{Pos: at, Name: "POSITION", Args: []ast.Expr{b.additive(p.GetStr()), b.additive(p.GetSub())}}
	case *parser.TrimExprContext:
		return b.trim(at, p)
	case *parser.SubstringExprContext:
		call := &ast.Call{Pos: at, Name: "SUBSTRING"}
		for _, e := range p.AllExpr() {
			call.Args = append(call.Args, b.expr(e))
		}
		return call
	case *parser.ExistsExprContext:
		return &ast.Exists{Pos: at, Query: b.query(p.Query())}
	case *parser.SubqueryExprContext:
		b.unsupported(at, "scalar subqueries are not supported yet: join with the subquery instead")
	}
	// Only after an error: a placeholder keeps the caller simple.
	return &ast.Literal{Pos: at, Kind: ast.LitNull}
}

var (
	intervalQuantity = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$`)
	intervalUnits    = map[string]string{
		"MILLISECOND": "MILLISECOND", "MILLISECONDS": "MILLISECOND",
		"SECOND": "SECOND", "SECONDS": "SECOND",
		"MINUTE": "MINUTE", "MINUTES": "MINUTE",
		"HOUR": "HOUR", "HOURS": "HOUR",
		"DAY": "DAY", "DAYS": "DAY",
	}
	// timestampLayouts are the accepted forms of TIMESTAMP '...' literals.
	timestampLayouts = []string{
		"2006-01-02 15:04:05.999999999",
		"2006-01-02T15:04:05.999999999",
		"2006-01-02 15:04",
		"2006-01-02T15:04",
		"2006-01-02",
		time.RFC3339Nano,
	}
)

func (b *builder) literal(ctx parser.ILiteralContext) ast.Expr {
	at := b.at(ctx)
	text := ctx.GetText()
	switch l := ctx.(type) {
	case *parser.IntLiteralContext:
		if _, err := strconv.ParseInt(text, 10, 64); err != nil {
			b.diags.Errorf(diag.BadLiteral, at, "integer %s is out of range (at most 9223372036854775807)", text)
		}
		return &ast.Literal{Pos: at, Kind: ast.LitInt, Text: text}
	case *parser.DecimalLiteralContext:
		if _, err := strconv.ParseFloat(text, 64); err != nil {
			b.diags.Errorf(diag.BadLiteral, at, "number %s is out of range", text)
		}
		return &ast.Literal{Pos: at, Kind: ast.LitFloat, Text: text}
	case *parser.StringLiteralContext:
		return &ast.Literal{Pos: at, Kind: ast.LitString, Text: unquote(text, '\'')}
	case *parser.BoolLiteralContext:
		return &ast.Literal{Pos: at, Kind: ast.LitBool, Text: strings.ToUpper(text)}
	case *parser.NullLiteralContext:
		return &ast.Literal{Pos: at, Kind: ast.LitNull, Text: "NULL"}
	case *parser.DateLiteralContext:
		// a date is its midnight (UTC): DATE '2024-01-01' compares with a
		// TIMESTAMP as DuckDB and PostgreSQL compare them
		value := unquote(l.STRING().GetText(), '\'')
		if _, err := time.Parse("2006-01-02", value); err != nil {
			b.diags.Errorf(diag.BadLiteral, b.tokPos(l.STRING().GetSymbol()), "malformed date '%s': expected 'YYYY-MM-DD'", value)
		}
		return &ast.Literal{Pos: at, Kind: ast.LitTimestamp, Text: value}
	case *parser.TimestampLiteralContext:
		value := unquote(l.STRING().GetText(), '\'')
		if !validTimestamp(value) {
			b.diags.Errorf(diag.BadLiteral, b.tokPos(l.STRING().GetSymbol()),
				"malformed timestamp '%s': expected 'YYYY-MM-DD hh:mm:ss[.ffffff]'", value)
		}
		return &ast.Literal{Pos: at, Kind: ast.LitTimestamp, Text: value}
	case *parser.IntervalLiteralContext:
		return b.interval(at, l)
	}
	return &ast.Literal{Pos: at, Kind: ast.LitNull}
}

func (b *builder) interval(at ast.Pos, l *parser.IntervalLiteralContext) ast.Expr {
	qty := l.GetChild(1).(antlr.TerminalNode).GetSymbol()
	text := qty.GetText()
	if qty.GetTokenType() == parser.LaminarSQLLexerSTRING {
		text = strings.TrimSpace(unquote(text, '\''))
	}
	if !intervalQuantity.MatchString(text) {
		b.diags.Errorf(diag.BadLiteral, b.tokPos(qty), "malformed interval quantity %s: expected a number such as '5'", qty.GetText())
	}
	unitTok := l.GetUnit().GetStart()
	unit, ok := intervalUnits[strings.ToUpper(unitTok.GetText())]
	if !ok || unitTok.GetTokenType() != parser.LaminarSQLLexerIDENT {
		b.diags.Errorf(diag.BadLiteral, b.tokPos(unitTok),
			"unknown interval unit %s: expected MILLISECOND, SECOND, MINUTE, HOUR or DAY", unitTok.GetText())
	}
	return &ast.Literal{Pos: at, Kind: ast.LitInterval, Text: text, Unit: unit}
}

func validTimestamp(s string) bool {
	for _, layout := range timestampLayouts {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

// sortItems reads the keys of ORDER BY.
func (b *builder) sortItems(o parser.IOrderByClauseContext) []ast.SortItem {
	var out []ast.SortItem
	for _, it := range o.AllSortItem() {
		out = append(out, ast.SortItem{Expr: b.expr(it.Expr()), Desc: it.DESC() != nil})
	}
	return out
}

// over reads OVER (PARTITION BY … ORDER BY … [frame]) and OVER w, a window
// the SELECT names in its WINDOW clause.
func (b *builder) over(ctx parser.IOverClauseContext) *ast.Over {
	o := &ast.Over{Pos: b.at(ctx)}
	w, ok := ctx.(*parser.WindowOverContext)
	if !ok {
		return b.namedOver(o.Pos, ctx.(*parser.NamedOverContext))
	}
	return b.windowSpec(o, w)
}

// windowSpecContext is what OVER (…) and WINDOW w AS (…) have in common.
type windowSpecContext interface {
	AllExpr() []parser.IExprContext
	OrderByClause() parser.IOrderByClauseContext
	FrameClause() parser.IFrameClauseContext
}

// windowSpec reads the PARTITION BY, ORDER BY and frame of a window into o.
func (b *builder) windowSpec(o *ast.Over, w windowSpecContext) *ast.Over {
	for _, e := range w.AllExpr() {
		o.PartitionBy = append(o.PartitionBy, b.expr(e))
	}
	if ob := w.OrderByClause(); ob != nil {
		o.OrderBy = b.sortItems(ob)
	}
	if f := w.FrameClause(); f != nil {
		fr := &ast.Frame{Pos: b.at(f), Range: f.RANGE() != nil}
		switch x := f.FrameBound().(type) {
		case *parser.UnboundedPrecedingContext:
			fr.Unbounded = true
		case *parser.ExprPrecedingContext:
			fr.Preceding = b.expr(x.Expr())
		}
		o.Frame = fr
	}
	return o
}

// lateSource reads LATE(source), the late rows of a source.
func (b *builder) lateSource(at ast.Pos, ctx parser.ITableFunctionContext, alias *ast.Ident) ast.TableRef {
	args := ctx.AllTableFunctionArg()
	if len(args) == 1 {
		if a, ok := args[0].(*parser.ExprArgContext); ok {
			if ref, ok := b.expr(a.Expr()).(*ast.ColumnRef); ok && ref.Qualifier == nil {
				return &ast.LateSource{Pos: at, Source: ref.Name, Alias: alias}
			}
		}
	}
	b.diags.Errorf(diag.SyntaxError, b.at(ctx), "LATE takes the name of a source: LATE(trades)")
	return nil
}
