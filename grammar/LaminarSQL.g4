// LaminarSQL: the streaming SQL dialect of Laminar.
//
// The parser is run one statement at a time: parse.go splits the token stream
// at ';' (and before CREATE / INSERT) and parses each piece with the `single`
// rule, so an error in one statement never hides errors in the next.
//
// Some constructs are recognised only to be rejected with a clear message
// (LDB-1003): joins, set operations, ORDER BY, LIMIT, subqueries, OVER, CTEs,
// EMIT PERIODICALLY.
//
// Regenerate with `go generate ./grammar/...` after editing this file.
grammar LaminarSQL;

options {
    caseInsensitive = true;
}

// ---------------------------------------------------------------- statements

single
    : statement EOF
    ;

statement
    : createSource
    | createView
    | createSink
    | insertInto
    | createTable
    | createFunction
    | showStatement
    | explainStatement
    | setStatement
    | otherStatement
    | query
    ;

createSource
    : CREATE SOURCE identifier LPAREN sourceElement (COMMA sourceElement)* RPAREN withClause?
    ;

// PRIMARY KEY makes the source a versioned table: each row is a new version
// of its key (an upsert), read by temporal joins (FOR SYSTEM_TIME AS OF).
// UNIQUE (cols) NOT ENFORCED promises that no two rows of an append-only
// source share those columns; Laminar trusts it and does not check.
sourceElement
    : WATERMARK FOR identifier AS expr                  # watermarkElement
    | PRIMARY KEY LPAREN identifier (COMMA identifier)* RPAREN (NOT ENFORCED)?  # primaryKeyElement
    | UNIQUE LPAREN identifier (COMMA identifier)* RPAREN (NOT ENFORCED)?  # uniqueElement
    | identifier typeName (NOT NULL | NULL)? (METADATA (FROM STRING)?)?  # columnElement
    | identifier AS expr                                # computedElement
    ;

// CREATE STREAM is LaminarDB's word for a view whose rows flow on; same as a view.
createView
    : CREATE (OR REPLACE)? TEMPORARY? (MATERIALIZED? VIEW | STREAM) (IF NOT EXISTS)? identifier withClause? AS query
    ;

// PARTITIONED BY (dt, hm): the columns whose values name a partitioned
// sink's directories (Flink's clause; the partitioned_by option).
createSink
    : CREATE SINK identifier (FROM identifier)? (PARTITIONED BY LPAREN identifier (COMMA identifier)* RPAREN)? withClause?
    ;

insertInto
    : INSERT (INTO | OVERWRITE) identifier query
    ;

// Flink's DDL word for a source or sink. CREATE TABLE declares a lookup
// table: an external table (a file, a PostgreSQL table) that joins read by
// key when a row needs it; or, when an INSERT INTO writes it, a sink with
// declared columns (Flink's `CREATE TABLE t (...) PARTITIONED BY (dt, hm)
// WITH ('connector' = 'filesystem', ...)`).
createTable
    : CREATE TABLE identifier LPAREN sourceElement (COMMA sourceElement)* RPAREN
      (PARTITIONED BY LPAREN identifier (COMMA identifier)* RPAREN)? withClause?
    ;

// A scalar function written in Go, in the user's own package:
// CREATE FUNCTION f(s VARCHAR) RETURNS BIGINT LANGUAGE GO AS 'example.com/udfs.F'
// (Flink's CREATE FUNCTION f AS 'java.Class' parses too, to be told what to write.)
createFunction
    : CREATE TEMPORARY? FUNCTION (IF NOT EXISTS)? name=identifier
      (params=LPAREN (functionParam (COMMA functionParam)*)? RPAREN)? (RETURNS typeName)?
      (LANGUAGE lang=identifier)? AS STRING (LANGUAGE langAfter=identifier)?
    ;

functionParam
    : identifier typeName
    ;

// SHOW … and EXPLAIN … are commands of other engines' shells: recognised to
// point users at laminarc's (LDB-1003).
showStatement
    : SHOW ~SEMI*
    ;

explainStatement
    : EXPLAIN ~SEMI*
    ;

// A pipeline-wide setting, as Flink's SQL client writes it:
// SET 'state_ttl' = '1h'. Other forms of SET are otherStatement's.
setStatement
    : SET option
    ;

// Statements of other engines' SQL shells and catalogs (LDB-1003).
otherStatement
    : (SET | USE | DESCRIBE | DROP | ALTER) ~SEMI*
    ;

withClause
    : WITH LPAREN option (COMMA option)* RPAREN
    ;

option
    : optionKey EQ optionValue
    ;

optionKey
    : identifier (DOT identifier)*
    | STRING
    ;

optionValue
    : STRING
    | (PLUS | MINUS)? (INTEGER | DECIMAL)
    | TRUE
    | FALSE
    | identifier
    ;

typeName
    : DOUBLE PRECISION
    | typeWord (LPAREN INTEGER (COMMA INTEGER)? RPAREN)?
    ;

typeWord
    : IDENT
    | nonReserved
    | joinWord
    ;

// ---------------------------------------------------------------- queries

query
    : cteClause? selectCore (setOperator selectCore)* orderByClause? limitClause? emitClause? latenessClause?
    ;

cteClause
    : WITH identifier AS LPAREN query RPAREN (COMMA identifier AS LPAREN query RPAREN)*
    ;

selectCore
    : SELECT DISTINCT? selectItem (COMMA selectItem)*
      FROM relation (COMMA relation)*
      (WHERE where=expr)?
      (GROUP BY expr (COMMA expr)*)?
      (HAVING having=expr)?
      (WINDOW namedWindow (COMMA namedWindow)*)?
      (QUALIFY qualify=expr)?
    ;

// WINDOW w AS (…): a window specification that OVER w names.
namedWindow
    : identifier AS LPAREN (PARTITION BY expr (COMMA expr)*)? orderByClause? frameClause? RPAREN
    ;

setOperator
    : (UNION | INTERSECT | EXCEPT) (ALL | DISTINCT)?
    ;

orderByClause
    : ORDER BY sortItem (COMMA sortItem)*
    ;

sortItem
    : expr (ASC | DESC)?
    ;

limitClause
    : LIMIT expr
    ;

// EMIT is factored out so that the choice is made on the next word alone,
// which gives a precise "expected ON, CHANGES, ..." after a bare EMIT.
emitClause
    : EMIT emitMode
    ;

// ALLOWED LATENESS keeps a window open for rows up to that much behind the
// watermark (after EMIT, or alone).
latenessClause
    : ALLOWED LATENESS expr
    ;

emitMode
    : ON WINDOW CLOSE                   # emitOnWindowClose
    | CHANGES                           # emitChanges
    | AFTER WATERMARK                   # emitAfterWatermark
    | PERIODICALLY expr?                # emitPeriodically
    ;

selectItem
    : STAR                                      # starItem
    | identifier DOT STAR                       # qualifiedStarItem
    | expr (AS identifier | strictIdentifier)?  # exprItem
    ;

relation
    : tableRef joinClause*
    ;

// ASOF joins: `[LEFT] ASOF JOIN` or `ASOF [LEFT] JOIN`, with the match in
// ON or in MATCH_CONDITION (Snowflake); a temporal join names the version
// time after the table: `JOIN rates FOR SYSTEM_TIME AS OF o.ts [AS r]`.
joinClause
    : (INNER | CROSS | (LEFT | RIGHT | FULL) OUTER?)? ASOF? (LEFT OUTER?)? JOIN tableRef
      (FOR SYSTEM_TIME AS OF asOf=additive tableAlias?)?
      (MATCH_CONDITION LPAREN match=expr RPAREN)?
      (TOLERANCE tolerance=additive)?
      (ON on=expr | USING LPAREN identifier (COMMA identifier)* RPAREN)?
    ;

tableRef
    : TABLE LPAREN tableFunction RPAREN tableAlias?    # wrappedTableFunctionRef
    | tableFunction tableAlias?                        # tableFunctionRef
    | identifier tableAlias?                           # namedTableRef
    | LPAREN query RPAREN tableAlias?                  # subqueryRef
    ;

tableFunction
    : functionName LPAREN tableFunctionArg (COMMA tableFunctionArg)* RPAREN
    ;

tableFunctionArg
    : TABLE identifier (PARTITION BY (LPAREN expr (COMMA expr)* RPAREN | expr))?   # tableArg
    | DESCRIPTOR LPAREN identifier RPAREN              # descriptorArg
    | expr                                             # exprArg
    ;

tableAlias
    : AS identifier
    | strictIdentifier
    ;

// ---------------------------------------------------------------- expressions
// Precedence, lowest first: OR; AND; NOT; comparison / IS / IN / BETWEEN /
// LIKE; + - ||; * / %; unary - +.

expr
    : andExpr (OR andExpr)*
    ;

andExpr
    : notExpr (AND notExpr)*
    ;

notExpr
    : NOT notExpr
    | predicate
    ;

predicate
    : additive predicateSuffix*
    ;

predicateSuffix
    : compareOp additive                                        # compareSuffix
    | IS NOT? NULL                                              # isNullSuffix
    | IS NOT? DISTINCT FROM additive                            # isDistinctSuffix
    | IS NOT? (TRUE | FALSE | UNKNOWN)                          # isTruthSuffix
    | NOT? ILIKE additive                                       # ilikeSuffix
    | NOT? SIMILAR TO additive                                  # similarSuffix
    | NOT? IN LPAREN expr (COMMA expr)* RPAREN                  # inSuffix
    | NOT? IN LPAREN query RPAREN                               # inQuerySuffix
    | NOT? BETWEEN lo=additive AND hi=additive                  # betweenSuffix
    | NOT? LIKE additive                                        # likeSuffix
    ;

compareOp
    : EQ | NEQ | LT | LTE | GT | GTE
    ;

additive
    : multiplicative ((PLUS | MINUS | CONCAT) multiplicative)*
    ;

multiplicative
    : unary ((STAR | SLASH | PERCENT) unary)*
    ;

unary
    : (MINUS | PLUS) unary
    | primary
    ;

primary
    : literal                                                           # literalExpr
    | CASE operand=expr? whenClause+ (ELSE elseExpr=expr)? END          # caseExpr
    | (CAST | TRY_CAST) LPAREN expr AS typeName RPAREN                  # castExpr
    | SUBSTRING LPAREN expr FROM expr (FOR expr)? RPAREN                # substringExpr
    | EXTRACT LPAREN field=identifier FROM expr RPAREN                  # extractExpr
    | POSITION LPAREN sub=additive IN str=additive RPAREN               # positionExpr
    | TRIM LPAREN (spec=identifier? chars=expr? FROM)? expr RPAREN      # trimExpr
    | EXISTS LPAREN query RPAREN                                        # existsExpr
    | functionName LPAREN (STAR | DISTINCT? expr (COMMA expr)* orderByClause?)? RPAREN withinGroup? filterClause? overClause?  # callExpr
    | identifier (DOT identifier)?                                      # columnExpr
    | LPAREN query RPAREN                                               # subqueryExpr
    | LPAREN expr RPAREN                                                # parenExpr
    ;

// agg(...) WITHIN GROUP (ORDER BY ...): recognised only to be reported (LDB-1003).
withinGroup
    : WITHIN GROUP LPAREN orderByClause RPAREN
    ;

// agg(...) FILTER (WHERE cond): the aggregate sees only the rows where cond is TRUE.
filterClause
    : FILTER LPAREN WHERE expr RPAREN
    ;

whenClause
    : WHEN cond=expr THEN result=expr
    ;

overClause
    : OVER identifier                                   # namedOver
    | OVER LPAREN (PARTITION BY expr (COMMA expr)*)? orderByClause? frameClause? RPAREN  # windowOver
    ;

// ROWS BETWEEN n PRECEDING AND CURRENT ROW, RANGE BETWEEN INTERVAL … PRECEDING
// AND CURRENT ROW (UNBOUNDED PRECEDING for either).
frameClause
    : (ROWS | RANGE) BETWEEN frameBound AND CURRENT ROW
    ;

frameBound
    : UNBOUNDED PRECEDING      # unboundedPreceding
    | expr PRECEDING           # exprPreceding
    | CURRENT ROW              # currentRow
    ;

literal
    : INTEGER                                          # intLiteral
    | DECIMAL                                          # decimalLiteral
    | STRING                                           # stringLiteral
    | (TRUE | FALSE)                                   # boolLiteral
    | NULL                                             # nullLiteral
    | TIMESTAMP STRING                                 # timestampLiteral
    | DATE STRING                                      # dateLiteral
    | INTERVAL (STRING | INTEGER | DECIMAL) unit=identifier   # intervalLiteral
    ;

functionName
    : IDENT
    | nonReserved
    | joinWord
    ;

// ---------------------------------------------------------------- names

identifier
    : strictIdentifier
    | joinWord
    ;

// A name that may follow a table or an expression without AS: everything but
// the words that could start the next clause there.
strictIdentifier
    : IDENT
    | QUOTED_IDENT
    | BACKTICK_IDENT
    | nonReserved
    ;

// Words that may follow a table reference; usable as names, but not as an
// alias without AS.
joinWord
    : JOIN | INNER | CROSS | LEFT | RIGHT | FULL | OUTER | ON | USING
    | UNION | INTERSECT | EXCEPT | ORDER | LIMIT | QUALIFY | WINDOW
    | ASOF | MATCH_CONDITION | TOLERANCE
    ;

nonReserved
    : SOURCE | SINK | VIEW | MATERIALIZED | STREAM | TABLE | WATERMARK | FOR | DESCRIPTOR
    | DOUBLE | PRECISION | TIMESTAMP | INTERVAL | SUBSTRING | EXISTS | OVER
    | CLOSE | CHANGES | AFTER | PERIODICALLY | ALL | ASC | DESC | FILTER
    | METADATA
    | EXTRACT | POSITION | TRIM | FUNCTION | RETURNS | LANGUAGE | SHOW | EXPLAIN
    | SET | USE | DESCRIBE | DROP | ALTER | REPLACE | TEMPORARY | IF | OVERWRITE
    | UNKNOWN | ILIKE | SIMILAR | TO | TRY_CAST | WITHIN | DATE
    | PARTITION | PARTITIONED | ROWS | RANGE | PRECEDING | CURRENT | ROW | UNBOUNDED | ALLOWED | LATENESS
    | SYSTEM_TIME | OF | PRIMARY | KEY | ENFORCED | UNIQUE
    ;

// ---------------------------------------------------------------- lexer

// Reserved words.
AND: 'AND';
AS: 'AS';
BETWEEN: 'BETWEEN';
BY: 'BY';
CASE: 'CASE';
CAST: 'CAST';
CREATE: 'CREATE';
DISTINCT: 'DISTINCT';
ELSE: 'ELSE';
EMIT: 'EMIT';
END: 'END';
FALSE: 'FALSE';
FROM: 'FROM';
GROUP: 'GROUP';
HAVING: 'HAVING';
IN: 'IN';
INSERT: 'INSERT';
INTO: 'INTO';
IS: 'IS';
LIKE: 'LIKE';
NOT: 'NOT';
NULL: 'NULL';
OR: 'OR';
SELECT: 'SELECT';
THEN: 'THEN';
TRUE: 'TRUE';
WHEN: 'WHEN';
WHERE: 'WHERE';
WITH: 'WITH';

// Non-reserved words (see joinWord and nonReserved).
AFTER: 'AFTER';
ALLOWED: 'ALLOWED';
ALL: 'ALL';
ASC: 'ASC';
ASOF: 'ASOF';
CHANGES: 'CHANGES';
CLOSE: 'CLOSE';
CROSS: 'CROSS';
CURRENT: 'CURRENT';
DESC: 'DESC';
DESCRIPTOR: 'DESCRIPTOR';
DOUBLE: 'DOUBLE';
ENFORCED: 'ENFORCED';
EXCEPT: 'EXCEPT';
EXISTS: 'EXISTS';
EXPLAIN: 'EXPLAIN';
EXTRACT: 'EXTRACT';
FILTER: 'FILTER';
FOR: 'FOR';
FULL: 'FULL';
FUNCTION: 'FUNCTION';
INNER: 'INNER';
INTERSECT: 'INTERSECT';
INTERVAL: 'INTERVAL';
JOIN: 'JOIN';
KEY: 'KEY';
LANGUAGE: 'LANGUAGE';
LATENESS: 'LATENESS';
LEFT: 'LEFT';
LIMIT: 'LIMIT';
MATCH_CONDITION: 'MATCH_CONDITION';
MATERIALIZED: 'MATERIALIZED';
OF: 'OF';
ON: 'ON';
ORDER: 'ORDER';
OUTER: 'OUTER';
OVER: 'OVER';
PARTITION: 'PARTITION';
PARTITIONED: 'PARTITIONED';
PERIODICALLY: 'PERIODICALLY';
POSITION: 'POSITION';
PRECEDING: 'PRECEDING';
PRECISION: 'PRECISION';
PRIMARY: 'PRIMARY';
QUALIFY: 'QUALIFY';
RANGE: 'RANGE';
RETURNS: 'RETURNS';
RIGHT: 'RIGHT';
ROW: 'ROW';
ROWS: 'ROWS';
SHOW: 'SHOW';
SINK: 'SINK';
SOURCE: 'SOURCE';
STREAM: 'STREAM';
SUBSTRING: 'SUBSTRING';
SYSTEM_TIME: 'SYSTEM_TIME';
TABLE: 'TABLE';
TIMESTAMP: 'TIMESTAMP';
TOLERANCE: 'TOLERANCE';
TRIM: 'TRIM';
UNBOUNDED: 'UNBOUNDED';
UNION: 'UNION';
UNIQUE: 'UNIQUE';
USING: 'USING';
VIEW: 'VIEW';
WATERMARK: 'WATERMARK';
METADATA: 'METADATA';
WINDOW: 'WINDOW';

ALTER: 'ALTER';
DATE: 'DATE';
DESCRIBE: 'DESCRIBE';
DROP: 'DROP';
IF: 'IF';
ILIKE: 'ILIKE';
OVERWRITE: 'OVERWRITE';
REPLACE: 'REPLACE';
SET: 'SET';
SIMILAR: 'SIMILAR';
TEMPORARY: 'TEMPORARY';
TO: 'TO';
TRY_CAST: 'TRY_CAST';
UNKNOWN: 'UNKNOWN';
USE: 'USE';
WITHIN: 'WITHIN';

// Punctuation and operators.
LPAREN: '(';
RPAREN: ')';
COMMA: ',';
DOT: '.';
SEMI: ';';
EQ: '=';
NEQ: '<>' | '!=';
LTE: '<=';
GTE: '>=';
LT: '<';
GT: '>';
PLUS: '+';
MINUS: '-';
STAR: '*';
SLASH: '/';
PERCENT: '%';
CONCAT: '||';

INTEGER: DIGIT+;
DECIMAL
    : DIGIT+ '.' DIGIT* EXPONENT?
    | '.' DIGIT+ EXPONENT?
    | DIGIT+ EXPONENT
    ;

// '' inside a string is one quote; anything else, newlines included, is kept.
STRING: '\'' (~'\'' | '\'\'')* '\'';
QUOTED_IDENT: '"' (~'"' | '""')* '"';
BACKTICK_IDENT: '`' (~'`' | '``')* '`';
IDENT: [\p{L}_] [\p{L}\p{N}_$]*;

LINE_COMMENT: '--' ~[\r\n]* -> skip;
BLOCK_COMMENT: '/*' .*? '*/' -> skip;
WS: [ \t\r\n\f]+ -> skip;

// Error tokens: the lexer never fails; parse.go reports these with a clear
// message. An unterminated literal or comment runs to the end of the input
// (a terminated one is longer by its closing quote, so it wins).
UNTERMINATED_STRING: '\'' (~'\'' | '\'\'')*;
UNTERMINATED_QUOTED_IDENT: '"' (~'"' | '""')*;
UNTERMINATED_BACKTICK_IDENT: '`' (~'`' | '``')*;
UNTERMINATED_COMMENT: '/*' (~'*' | '*'+ ~[*/])* '*'*;
UNEXPECTED_CHAR: .;

fragment DIGIT: [0-9];
fragment EXPONENT: 'E' [+-]? DIGIT+;
