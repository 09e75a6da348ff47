// Package ast is the syntax tree of a Laminar SQL pipeline. It knows nothing of
// ANTLR: grammar/ builds it, the binder in compiler/ reads it. Every node carries
// the position of its first token so that diagnostics can point at it.
package ast

// Pos is a position in the pipeline source: 1-based line and column (in runes),
// and the 0-based byte offset.
type Pos struct {
	Line, Col, Offset int
}

// Script is a whole pipeline file: statements in source order.
type Script struct {
	Stmts []Stmt
}

// Stmt is one `;`-terminated statement.
type Stmt interface {
	stmtNode()
	Position() Pos
}

// Ident is a name as written. Quoted identifiers keep their case and any
// character; unquoted ones are folded to lower case by the parser.
type Ident struct {
	Pos    Pos
	Name   string
	Quoted bool
}

// Option is one `key = 'value'` entry of a WITH clause.
type Option struct {
	Pos   Pos
	Key   string // lower-cased
	Value string // the string literal's content (or number text)
}

// ColumnDef is a column of CREATE SOURCE.
type ColumnDef struct {
	Pos     Pos
	Name    Ident
	Type    TypeName
	NotNull bool
	// Metadata is set for `col TYPE METADATA [FROM 'key']`: a column the
	// connector fills from what it knows of the record (a Kafka record's
	// offset, say), not from its value. Key is the column's name without FROM.
	Metadata *MetadataRef
	// Computed is set for `col AS expr` (Flink's computed column, such as
	// `p AS PROCTIME()`); Type is then empty.
	Computed Expr
}

// MetadataRef is the key of a metadata column, where it is written.
type MetadataRef struct {
	Pos Pos
	Key string
}

// TypeName is a SQL type as written, e.g. BIGINT, VARCHAR(20), DECIMAL(10,2).
type TypeName struct {
	Pos  Pos
	Name string // upper-cased base name: BIGINT, INT, INTEGER, DOUBLE, VARCHAR, ...
	Args []int  // length/precision arguments, if any
}

// Watermark is `WATERMARK FOR col AS col - INTERVAL '5' SECOND`.
type Watermark struct {
	Pos    Pos
	Column Ident
	Expr   Expr // the full expression after AS
}

// CreateSource declares an input stream.
type CreateSource struct {
	Pos       Pos
	Name      Ident
	Columns   []ColumnDef
	Watermark *Watermark // nil when none is declared
	With      []Option
	// Table: CREATE TABLE, a lookup table read by key, not a stream; or a
	// sink with declared columns when an INSERT INTO writes it.
	Table bool
	// PartitionedBy are the columns of a table's PARTITIONED BY (...).
	PartitionedBy []Ident
	// PrimaryKey makes the source a versioned table (PRIMARY KEY (cols)).
	PrimaryKey    []Ident
	PrimaryKeyPos Pos
	// Unique are the column sets of UNIQUE (cols) NOT ENFORCED.
	Unique []UniqueDecl
}

// UniqueDecl is UNIQUE (cols) NOT ENFORCED in a CREATE SOURCE.
type UniqueDecl struct {
	Pos     Pos
	Columns []Ident
}

// CreateView is CREATE MATERIALIZED VIEW name AS query.
type CreateView struct {
	Pos   Pos
	Name  Ident
	With  []Option // CREATE VIEW name WITH (state_ttl = '1h') AS …
	Query *Select
}

// Set is SET 'key' = 'value': a setting of the whole pipeline.
type Set struct {
	Pos    Pos
	Option Option
}

// CreateSink is CREATE SINK name [FROM view] WITH (...).
type CreateSink struct {
	Pos  Pos
	Name Ident
	From *Ident // nil when the sink is fed by INSERT INTO
	// PartitionedBy are the columns of PARTITIONED BY (...)
	PartitionedBy []Ident
	With          []Option
}

// Insert is INSERT INTO sink query.
type Insert struct {
	Pos   Pos
	Sink  Ident
	Query *Select
}

func (*CreateSource) stmtNode() {}
func (*CreateView) stmtNode()   {}
func (*CreateSink) stmtNode()   {}
func (*Insert) stmtNode()       {}
func (*Set) stmtNode()          {}

func (s *CreateSource) Position() Pos { return s.Pos }
func (s *CreateView) Position() Pos   { return s.Pos }
func (s *CreateSink) Position() Pos   { return s.Pos }
func (s *Insert) Position() Pos       { return s.Pos }
func (s *Set) Position() Pos          { return s.Pos }

// EmitMode is the EMIT clause of a query.
type EmitMode int

const (
	EmitDefault        EmitMode = iota // no EMIT clause
	EmitOnWindowClose                  // EMIT ON WINDOW CLOSE
	EmitChanges                        // EMIT CHANGES
	EmitAfterWatermark                 // EMIT AFTER WATERMARK
	EmitPeriodically                   // EMIT PERIODICALLY interval (Select.Period)
)

// Select is one SELECT query.
type Select struct {
	Pos      Pos
	Distinct bool
	Items    []SelectItem
	From     TableRef
	Where    Expr   // nil when absent
	GroupBy  []Expr // empty when absent
	Having   Expr   // nil when absent
	Emit     EmitMode
	EmitPos  Pos
	// Period is EMIT PERIODICALLY's interval.
	Period Expr
	// Lateness is ALLOWED LATENESS's interval, nil when absent.
	Lateness    Expr
	LatenessPos Pos
	// With holds the common table expressions of WITH, in order; each sees
	// the ones before it. Only the first SELECT of a query carries them.
	With []CTE
	// SetOps are the SELECTs combined with this one by UNION [ALL], in order
	// (left-associative). Only the first SELECT of a query carries them.
	SetOps []SetOp
	// Qualify filters on window functions of the SELECT list (QUALIFY rn <= 3).
	Qualify Expr
	// OrderBy and Limit are the query's ORDER BY and LIMIT (after its set
	// operations); Limit is nil when absent.
	OrderBy  []SortItem
	OrderPos Pos
	Limit    Expr
	LimitPos Pos
}

// SortItem is one key of ORDER BY: an expression, ascending unless Desc.
type SortItem struct {
	Expr Expr
	Desc bool
}

// Over is the window of a window function call:
// OVER (PARTITION BY … ORDER BY … [frame]).
type Over struct {
	Pos         Pos
	PartitionBy []Expr
	OrderBy     []SortItem
	Frame       *Frame // nil when absent
}

// Frame is ROWS|RANGE BETWEEN <bound> AND CURRENT ROW. Preceding is the
// bound's expression (n or an INTERVAL); nil with Unbounded for UNBOUNDED
// PRECEDING, nil without it for CURRENT ROW.
type Frame struct {
	Pos       Pos
	Range     bool
	Unbounded bool
	Preceding Expr
}

// CTE is `name AS (query)` of a WITH clause.
type CTE struct {
	Name  Ident
	Query *Select
}

// SetOp is `UNION [ALL|DISTINCT] select`.
type SetOp struct {
	Pos      Pos
	Distinct bool // UNION or UNION DISTINCT: duplicates removed from the result so far
	Query    *Select
}

// SelectItem is one output column: an expression with an optional alias, or `*`.
type SelectItem struct {
	Pos  Pos
	Star bool // SELECT * or SELECT t.* (Expr is nil)
	// StarOf is t of SELECT t.*: the columns of one FROM item; nil for *.
	StarOf *Ident
	Expr   Expr   // nil for *
	Alias  *Ident // nil when not given
}

// TableRef is what a FROM clause names.
type TableRef interface {
	tableNode()
	Position() Pos
}

// TableName is a plain source or view name, with an optional alias.
type TableName struct {
	Pos   Pos
	Name  Ident
	Alias *Ident
}

// WindowKind names a window table-valued function.
type WindowKind int

const (
	Tumble WindowKind = iota + 1
	Hop
	Session  // SESSION(t, col, gap): windows per key closed by a gap of inactivity
	Cumulate // CUMULATE(t, col, step, size [, offset]): windows growing by step up to size
)

// WindowTVF is TUMBLE(t, col, size [, offset]) or HOP(t, col, slide, size [, offset]),
// in the short form or the Flink form TABLE(TUMBLE(TABLE t, DESCRIPTOR(col), ...)).
// Args holds the interval arguments in the order written.
type WindowTVF struct {
	Pos     Pos
	Kind    WindowKind
	Table   Ident
	TimeCol Ident
	Args    []Expr
	Alias   *Ident
	// Partition is Flink's TABLE t PARTITION BY k, … of a SESSION window.
	Partition []Expr
}

// LateSource is LATE(source): the late rows of a source, as a stream.
type LateSource struct {
	Pos    Pos
	Source Ident
	Alias  *Ident
}

func (*LateSource) tableNode()      {}
func (t *LateSource) Position() Pos { return t.Pos }

// JoinKind is the kind of a JOIN.
type JoinKind int

const (
	InnerJoin JoinKind = iota + 1
	LeftJoin
	RightJoin
	FullJoin
	CrossJoin // CROSS JOIN, or a comma between FROM items
)

// Join is `left [kind] JOIN right ON cond | USING (cols)`, or `left, right`.
type Join struct {
	Pos         Pos
	Kind        JoinKind
	Left, Right TableRef
	On          Expr    // nil for USING, CROSS and comma joins
	Using       []Ident // USING (a, b)
	// Asof is an ASOF JOIN: each left row meets at most one right row, the
	// closest in time; Match is its MATCH_CONDITION (or nil: the time
	// condition is in ON) and Tolerance its TOLERANCE interval (or nil).
	Asof      bool
	Match     Expr
	Tolerance Expr
	// AsOf is the time of a temporal join (`FOR SYSTEM_TIME AS OF o.ts`), or nil.
	AsOf Expr
}

// Subquery is `(query) [AS alias]` in FROM.
type Subquery struct {
	Pos   Pos
	Query *Select
	Alias *Ident
}

func (*TableName) tableNode() {}
func (*WindowTVF) tableNode() {}
func (*Subquery) tableNode()  {}
func (*Join) tableNode()      {}

func (t *TableName) Position() Pos { return t.Pos }
func (t *WindowTVF) Position() Pos { return t.Pos }
func (t *Subquery) Position() Pos  { return t.Pos }
func (t *Join) Position() Pos      { return t.Pos }

// Expr is a scalar expression.
type Expr interface {
	exprNode()
	Position() Pos
}

// ColumnRef is `name` or `qualifier.name`.
type ColumnRef struct {
	Pos       Pos
	Qualifier *Ident
	Name      Ident
}

// LiteralKind is the kind of a literal.
type LiteralKind int

const (
	LitInt       LiteralKind = iota + 1 // 42
	LitFloat                            // 4.2, 1e3
	LitString                           // 'abc'
	LitBool                             // TRUE, FALSE
	LitNull                             // NULL
	LitTimestamp                        // TIMESTAMP '2024-01-01 00:00:00'
	LitInterval                         // INTERVAL '5' SECOND
)

// Literal is a constant as written. Text is the number's text or the string's
// content (quotes removed, ” unescaped); Unit is the upper-cased interval unit
// (SECOND, MINUTE, HOUR, DAY, MILLISECOND, ...), for LitInterval only.
type Literal struct {
	Pos  Pos
	Kind LiteralKind
	Text string
	Unit string
}

// Unary is NOT x, -x, +x.
type Unary struct {
	Pos Pos
	Op  string // "NOT", "-", "+"
	X   Expr
}

// Binary is x op y. Op is one of: + - * / % || = <> < <= > >= AND OR
// ("!=" is normalised to "<>").
type Binary struct {
	Pos  Pos
	Op   string
	L, R Expr
}

// IsNull is x IS [NOT] NULL.
type IsNull struct {
	Pos Pos
	X   Expr
	Not bool
}

// In is x [NOT] IN (list).
type In struct {
	Pos  Pos
	X    Expr
	List []Expr
	Not  bool
}

// InQuery is x [NOT] IN (query).
type InQuery struct {
	Pos   Pos
	X     Expr
	Query *Select
	Not   bool
}

// Exists is EXISTS (query); NOT EXISTS is a Unary NOT over it.
type Exists struct {
	Pos   Pos
	Query *Select
}

// Between is x [NOT] BETWEEN lo AND hi.
type Between struct {
	Pos    Pos
	X      Expr
	Lo, Hi Expr
	Not    bool
}

// Like is x [NOT] LIKE pattern.
type Like struct {
	Pos     Pos
	X       Expr
	Pattern Expr
	Not     bool
}

// When is one WHEN cond THEN result arm of CASE.
type When struct {
	Cond, Result Expr
}

// Case is CASE [operand] WHEN ... THEN ... [ELSE ...] END.
type Case struct {
	Pos     Pos
	Operand Expr // nil for a searched CASE
	Whens   []When
	Else    Expr // nil when absent
}

// Cast is CAST(x AS type).
type Cast struct {
	Pos  Pos
	X    Expr
	Type TypeName
}

// Call is a function call: name(args), COUNT(*), COUNT(DISTINCT x), and the
// group-window functions TUMBLE(ts, size) etc. Name is upper-cased.
type Call struct {
	Pos      Pos
	Name     string
	Args     []Expr
	Star     bool // COUNT(*)
	Distinct bool
	Filter   Expr  // agg(...) FILTER (WHERE Filter); nil when absent
	Over     *Over // name(...) OVER (...); nil when absent
	// OrderBy is agg(x ORDER BY y [DESC]): FIRST_VALUE/LAST_VALUE's ordering
	OrderBy []SortItem
}

func (*ColumnRef) exprNode() {}
func (*Literal) exprNode()   {}
func (*Unary) exprNode()     {}
func (*Binary) exprNode()    {}
func (*IsNull) exprNode()    {}
func (*In) exprNode()        {}
func (*Between) exprNode()   {}
func (*InQuery) exprNode()   {}
func (*Exists) exprNode()    {}
func (*Like) exprNode()      {}
func (*Case) exprNode()      {}
func (*Cast) exprNode()      {}
func (*Call) exprNode()      {}

func (e *ColumnRef) Position() Pos { return e.Pos }
func (e *Literal) Position() Pos   { return e.Pos }
func (e *Unary) Position() Pos     { return e.Pos }
func (e *Binary) Position() Pos    { return e.Pos }
func (e *IsNull) Position() Pos    { return e.Pos }
func (e *In) Position() Pos        { return e.Pos }
func (e *Between) Position() Pos   { return e.Pos }
func (e *InQuery) Position() Pos   { return e.Pos }
func (e *Exists) Position() Pos    { return e.Pos }
func (e *Like) Position() Pos      { return e.Pos }
func (e *Case) Position() Pos      { return e.Pos }
func (e *Cast) Position() Pos      { return e.Pos }
func (e *Call) Position() Pos      { return e.Pos }
