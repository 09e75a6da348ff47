// Package nexmarkdiff checks the Nexmark queries of benchmarks/nexmark/queries:
// each runnable query is compiled by laminarc and run over 10,000 generated
// events, and its rows are compared with DuckDB's answer to the same query as
// a batch over the same events.
package nexmarkdiff

// Kind says how a result column is compared.
type Kind int

const (
	Int Kind = iota
	Float
	String
	Timestamp // RFC 3339 in Laminar's output, TIMESTAMP in DuckDB; compared as µs
	// Decimal + s is a DECIMAL(p, s) (see DecimalOf): a JSON number with
	// exactly s digits after the point in Laminar's output (checked), a
	// DECIMAL in DuckDB; compared exactly.
	Decimal Kind = 100
)

// DecimalOf is the Kind of a DECIMAL column of scale s.
func DecimalOf(s int) Kind { return Decimal + Kind(s) }

// scale is the scale of a Decimal kind; ok is false for the others.
func (k Kind) scale() (int, bool) { return int(k - Decimal), k >= Decimal }

// Column is an output column of a query, in SELECT order.
type Column struct {
	Name string
	Kind Kind
}

// translation is a query's DuckDB batch equivalent. DuckDB's tables are
// person, auction and bid with the generator's columns ("dateTime" and the
// other times as TIMESTAMP) plus dt_us, "dateTime" in µs since the epoch.
//
// Where the dialects differ (the whole table, kept small on purpose):
//
//	Laminar                                  DuckDB
//	GROUP BY SESSION("dateTime", gap)        lag() over the key marks a new session, a running sum numbers them
//	HOP(bid, "dateTime", slide, size)        a row per window: (dt_us // slide) * slide - k * slide, k in [0, size/slide)
//	TUMBLE(bid, "dateTime", size)            (dt_us // size) * size
//	window_start, window_end                 make_timestamp(µs)
//	MOD(a, b)                                a % b
//	HOUR(ts)                                 hour(ts)
//	DATE_FORMAT(ts, 'yyyy-MM-dd' / 'HH:mm')  strftime(ts, '%Y-%m-%d' / '%H:%M')
//	REGEXP_EXTRACT(s, p, g) (NULL: no match) NULLIF(regexp_extract(s, p, g), '') ('' when no match)
//	SPLIT_INDEX(s, d, i) (0-based)           string_split(s, d)[i + 1] (1-based; NULL past the end)
type translation struct {
	DuckSQL string
	Columns []Column
	// Proc, for a query on processing time, says how its rows are checked
	// (DuckSQL then gives one row per group with its total count)
	Proc *procShape
}

// The bid statistics of q15, q16 and q17, in DuckDB's FILTER syntax (the same as Flink's).
const (
	rankCounts = `  COUNT(*) AS total_bids,
  COUNT(*) FILTER (WHERE price < 10000) AS rank1_bids,
  COUNT(*) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_bids,
  COUNT(*) FILTER (WHERE price >= 1000000) AS rank3_bids`
	distinctCounts = `  COUNT(DISTINCT bidder) AS total_bidders,
  COUNT(DISTINCT bidder) FILTER (WHERE price < 10000) AS rank1_bidders,
  COUNT(DISTINCT bidder) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_bidders,
  COUNT(DISTINCT bidder) FILTER (WHERE price >= 1000000) AS rank3_bidders,
  COUNT(DISTINCT auction) AS total_auctions,
  COUNT(DISTINCT auction) FILTER (WHERE price < 10000) AS rank1_auctions,
  COUNT(DISTINCT auction) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_auctions,
  COUNT(DISTINCT auction) FILTER (WHERE price >= 1000000) AS rank3_auctions`
)

var statColumns = []Column{{"total_bids", Int}, {"rank1_bids", Int}, {"rank2_bids", Int}, {"rank3_bids", Int},
	{"total_bidders", Int}, {"rank1_bidders", Int}, {"rank2_bidders", Int}, {"rank3_bidders", Int},
	{"total_auctions", Int}, {"rank1_auctions", Int}, {"rank2_auctions", Int}, {"rank3_auctions", Int}}

const channelIDPattern = `'(&|^)channel_id=([^&]*)'`

var translations = map[string]translation{
	"q0": {
		DuckSQL: `SELECT auction, bidder, price, "dateTime", extra FROM bid`,
		Columns: []Column{{"auction", Int}, {"bidder", Int}, {"price", Int}, {"dateTime", Timestamp}, {"extra", String}},
	},
	"q1": {
		DuckSQL: `SELECT auction, bidder, 0.908 * price AS price, "dateTime", extra FROM bid`,
		Columns: []Column{{"auction", Int}, {"bidder", Int}, {"price", DecimalOf(3)}, {"dateTime", Timestamp}, {"extra", String}},
	},
	"q1_double": {
		DuckSQL: `SELECT auction, bidder, CAST(0.908 AS DOUBLE) * price AS price, "dateTime", extra FROM bid`,
		Columns: []Column{{"auction", Int}, {"bidder", Int}, {"price", Float}, {"dateTime", Timestamp}, {"extra", String}},
	},
	"q2": {
		DuckSQL: `SELECT auction, price FROM bid WHERE auction % 123 = 0`,
		Columns: []Column{{"auction", Int}, {"price", Int}},
	},
	"q3": {
		DuckSQL: `SELECT p.name, p.city, p.state, a.id FROM auction AS a JOIN person AS p ON a.seller = p.id
WHERE a.category = 10 AND (p.state = 'OR' OR p.state = 'ID' OR p.state = 'CA')`,
		Columns: []Column{{"name", String}, {"city", String}, {"state", String}, {"id", Int}},
	},
	// q20: the second dateTime and extra are renamed as Flink (Calcite) does
	"q20": {
		DuckSQL: `SELECT auction, bidder, price, channel, url, B."dateTime", B.extra,
       "itemName", description, "initialBid", reserve, A."dateTime" AS "dateTime0", expires, seller, category, A.extra AS extra0
FROM bid AS B INNER JOIN auction AS A ON B.auction = A.id
WHERE A.category = 10`,
		Columns: []Column{{"auction", Int}, {"bidder", Int}, {"price", Int}, {"channel", String}, {"url", String}, {"dateTime", Timestamp}, {"extra", String},
			{"itemName", String}, {"description", String}, {"initialBid", Int}, {"reserve", Int}, {"dateTime0", Timestamp}, {"expires", Timestamp},
			{"seller", Int}, {"category", Int}, {"extra0", String}},
	},
	"q4": {
		DuckSQL: `SELECT category, AVG(final) AS avg_final FROM (
  SELECT MAX(b.price) AS final, a.category FROM auction AS a, bid AS b
  WHERE a.id = b.auction AND b."dateTime" BETWEEN a."dateTime" AND a.expires
  GROUP BY a.id, a.category) GROUP BY category`,
		Columns: []Column{{"category", Int}, {"avg_final", Float}},
	},
	"q5": {
		DuckSQL: `WITH ab AS (SELECT auction, COUNT(*) AS num, ws
  FROM (SELECT auction, (dt_us // 2000000) * 2000000 - k * 2000000 AS ws FROM bid, range(0, 5) AS r(k))
  GROUP BY auction, ws)
SELECT ab.auction, ab.num FROM ab JOIN (SELECT MAX(num) AS maxn, ws FROM ab GROUP BY ws) AS m
  ON ab.ws = m.ws AND ab.num >= m.maxn`,
		Columns: []Column{{"auction", Int}, {"num", Int}},
	},
	"q7": {
		DuckSQL: `SELECT b.auction, b.price, b.bidder, b."dateTime", b.extra FROM bid AS b
JOIN (SELECT MAX(price) AS maxprice, (dt_us // 10000000) * 10000000 + 10000000 AS we FROM bid GROUP BY dt_us // 10000000) AS m
  ON b.price = m.maxprice
WHERE b.dt_us BETWEEN m.we - 10000000 AND m.we`,
		Columns: []Column{{"auction", Int}, {"price", Int}, {"bidder", Int}, {"dateTime", Timestamp}, {"extra", String}},
	},
	// Top-N and deduplication: Laminar ranks ties of ROW_NUMBER in arrival
	// order over an append-only input (the bids' order, rowid in DuckDB) and
	// by the rows' columns over an updating one (q6: final after "dateTime").
	"q9": {
		DuckSQL: `SELECT id, "itemName", description, "initialBid", reserve, "dateTime", expires, seller, category, extra,
       auction, bidder, price, bid_dateTime, bid_extra
FROM (
  SELECT A.*, B.auction, B.bidder, B.price, B."dateTime" AS bid_dateTime, B.extra AS bid_extra,
         ROW_NUMBER() OVER (PARTITION BY A.id ORDER BY B.price DESC, B."dateTime" ASC, B.rowid) AS rownum
  FROM auction AS A, bid AS B
  WHERE A.id = B.auction AND B."dateTime" BETWEEN A."dateTime" AND A.expires
)
WHERE rownum <= 1`,
		Columns: []Column{{"id", Int}, {"itemName", String}, {"description", String}, {"initialBid", Int}, {"reserve", Int},
			{"dateTime", Timestamp}, {"expires", Timestamp}, {"seller", Int}, {"category", Int}, {"extra", String},
			{"auction", Int}, {"bidder", Int}, {"price", Int}, {"bid_datetime", Timestamp}, {"bid_extra", String}},
	},
	"q18": {
		DuckSQL: `SELECT auction, bidder, price, channel, url, "dateTime", extra
FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY bidder, auction ORDER BY "dateTime" DESC, rowid) AS rank_number FROM bid)
WHERE rank_number <= 1`,
		Columns: []Column{{"auction", Int}, {"bidder", Int}, {"price", Int}, {"channel", String}, {"url", String}, {"dateTime", Timestamp}, {"extra", String}},
	},
	"q19": {
		DuckSQL: `SELECT auction, bidder, price, channel, url, "dateTime", extra, rank_number
FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC, rowid) AS rank_number FROM bid)
WHERE rank_number <= 10`,
		Columns: []Column{{"auction", Int}, {"bidder", Int}, {"price", Int}, {"channel", String}, {"url", String}, {"dateTime", Timestamp}, {"extra", String}, {"rank_number", Int}},
	},
	"q6": {
		DuckSQL: `SELECT Q.seller, AVG(Q.final) OVER (PARTITION BY Q.seller ORDER BY Q."dateTime", Q.final ROWS BETWEEN 10 PRECEDING AND CURRENT ROW) AS avg_final
FROM (
  SELECT MAX(b.price) AS final, a.seller, b."dateTime"
  FROM auction AS a, bid AS b
  WHERE a.id = b.auction AND b."dateTime" BETWEEN a."dateTime" AND a.expires
  GROUP BY a.id, a.seller, b."dateTime"
) AS Q`,
		Columns: []Column{{"seller", Int}, {"avg_final", Float}},
	},
	"q8": {
		DuckSQL: `SELECT p.id, p.name, make_timestamp(p.ws) AS starttime
FROM (SELECT id, name, (dt_us // 10000000) * 10000000 AS ws FROM person GROUP BY id, name, ws) AS p
JOIN (SELECT seller, (dt_us // 10000000) * 10000000 AS ws FROM auction GROUP BY seller, ws) AS a
  ON p.id = a.seller AND p.ws = a.ws`,
		Columns: []Column{{"id", Int}, {"name", String}, {"starttime", Timestamp}},
	},
	"q15": {
		DuckSQL: `SELECT strftime("dateTime", '%Y-%m-%d') AS day,
` + rankCounts + `,
` + distinctCounts + `
FROM bid GROUP BY strftime("dateTime", '%Y-%m-%d')`,
		Columns: append([]Column{{"day", String}}, statColumns...),
	},
	"q16": {
		DuckSQL: `SELECT channel, strftime("dateTime", '%Y-%m-%d') AS day, MAX(strftime("dateTime", '%H:%M')) AS minute,
` + rankCounts + `,
` + distinctCounts + `
FROM bid GROUP BY channel, strftime("dateTime", '%Y-%m-%d')`,
		Columns: append([]Column{{"channel", String}, {"day", String}, {"minute", String}}, statColumns...),
	},
	"q17": {
		DuckSQL: `SELECT auction, strftime("dateTime", '%Y-%m-%d') AS day,
` + rankCounts + `,
  MIN(price) AS min_price, MAX(price) AS max_price, AVG(price) AS avg_price, CAST(SUM(price) AS BIGINT) AS sum_price
FROM bid GROUP BY auction, strftime("dateTime", '%Y-%m-%d')`,
		Columns: []Column{{"auction", Int}, {"day", String}, {"total_bids", Int}, {"rank1_bids", Int}, {"rank2_bids", Int}, {"rank3_bids", Int},
			{"min_price", Int}, {"max_price", Int}, {"avg_price", Float}, {"sum_price", Int}},
	},
	"q12": {
		// processing-time windows: the count per bidder, the windows NULL (see procShape)
		DuckSQL: `SELECT bidder, COUNT(*) AS bid_count, NULL::TIMESTAMP AS starttime, NULL::TIMESTAMP AS endtime FROM bid GROUP BY bidder`,
		Columns: []Column{{"bidder", Int}, {"bid_count", Int}, {"starttime", Timestamp}, {"endtime", Timestamp}},
		Proc:    &procShape{Keys: []int{0}, Count: 1, Start: 2, End: 3, Size: 10_000_000},
	},
	"q13": {
		// side_input.csv holds key i with value 'i' for i in [0, 10000)
		DuckSQL: `SELECT B.auction, B.bidder, B.price, B."dateTime", S.value
FROM bid AS B JOIN (SELECT range AS key, CAST(range AS VARCHAR) AS value FROM range(10000)) AS S ON B.auction % 10000 = S.key`,
		Columns: []Column{{"auction", Int}, {"bidder", Int}, {"price", Int}, {"dateTime", Timestamp}, {"value", String}},
	},
	"q11": {
		// a bid opens a session when more than 10 s after the bidder's previous one
		DuckSQL: `WITH s0 AS (SELECT bidder, dt_us, rowid AS rid, CASE WHEN dt_us - lag(dt_us) OVER (PARTITION BY bidder ORDER BY dt_us, rowid) <= 10000000 THEN 0 ELSE 1 END AS brk FROM bid),
s1 AS (SELECT *, sum(brk) OVER (PARTITION BY bidder ORDER BY dt_us, rid ROWS UNBOUNDED PRECEDING) AS sid FROM s0)
SELECT bidder, COUNT(*) AS bid_count, make_timestamp(MIN(dt_us)) AS starttime, make_timestamp(MAX(dt_us) + 10000000) AS endtime
FROM s1 GROUP BY bidder, sid`,
		Columns: []Column{{"bidder", Int}, {"bid_count", Int}, {"starttime", Timestamp}, {"endtime", Timestamp}},
	},
	"q5_counts": {
		DuckSQL: `SELECT auction, COUNT(*) AS num, make_timestamp(ws) AS window_start, make_timestamp(ws + 10000000) AS window_end
FROM (SELECT auction, (dt_us // 2000000) * 2000000 - k * 2000000 AS ws FROM bid, range(0, 5) AS r(k))
GROUP BY auction, ws`,
		Columns: []Column{{"auction", Int}, {"num", Int}, {"window_start", Timestamp}, {"window_end", Timestamp}},
	},
	"q5_tumble": {
		DuckSQL: `SELECT auction, COUNT(*) AS num, make_timestamp(ws) AS window_start, make_timestamp(ws + 10000000) AS window_end
FROM (SELECT auction, (dt_us // 10000000) * 10000000 AS ws FROM bid)
GROUP BY auction, ws`,
		Columns: []Column{{"auction", Int}, {"num", Int}, {"window_start", Timestamp}, {"window_end", Timestamp}},
	},
	"groupby_many": {
		DuckSQL: `SELECT price, COUNT(*) AS bids, MAX(bidder) AS top_bidder FROM bid GROUP BY price`,
		Columns: []Column{{"price", Int}, {"bids", Int}, {"top_bidder", Int}},
	},
	"chain3": {
		DuckSQL: `SELECT make_timestamp(ms) AS window_start, make_timestamp(ms + 30000000) AS window_end,
  COUNT(*) AS auctions, CAST(SUM(bids) AS BIGINT) AS bids, MAX(top) AS top
FROM (SELECT ((ws + 10000000) // 30000000) * 30000000 AS ms, COUNT(*) AS bids, MAX(price) AS top
      FROM (SELECT auction, price, (dt_us // 10000000) * 10000000 AS ws FROM bid WHERE price > 1000)
      GROUP BY auction, ws)
GROUP BY ms`,
		Columns: []Column{{"window_start", Timestamp}, {"window_end", Timestamp}, {"auctions", Int}, {"bids", Int}, {"top", Int}},
	},
	"q7_max": {
		DuckSQL: `SELECT make_timestamp(ws) AS window_start, make_timestamp(ws + 10000000) AS window_end, MAX(price) AS maxprice
FROM (SELECT price, (dt_us // 10000000) * 10000000 AS ws FROM bid)
GROUP BY ws`,
		Columns: []Column{{"window_start", Timestamp}, {"window_end", Timestamp}, {"maxprice", Int}},
	},
	"q10": {
		DuckSQL: `SELECT auction, bidder, price, "dateTime", extra, strftime("dateTime", '%Y-%m-%d') AS dt, strftime("dateTime", '%H:%M') AS hm FROM bid`,
		Columns: []Column{{"auction", Int}, {"bidder", Int}, {"price", Int}, {"dateTime", Timestamp}, {"extra", String}, {"dt", String}, {"hm", String}},
	},
	"q14": {
		DuckSQL: `SELECT auction, bidder, 0.908 * price AS price,
  CASE
    WHEN hour("dateTime") >= 8 AND hour("dateTime") <= 18 THEN 'dayTime'
    WHEN hour("dateTime") <= 6 OR hour("dateTime") >= 20 THEN 'nightTime'
    ELSE 'otherTime'
  END AS "bidTimeType",
  "dateTime", extra, count_char(extra, 'c') AS c_counts
FROM bid
WHERE 0.908 * price > 1000000 AND 0.908 * price < 50000000`,
		Columns: []Column{{"auction", Int}, {"bidder", Int}, {"price", DecimalOf(3)}, {"bidTimeType", String}, {"dateTime", Timestamp},
			{"extra", String}, {"c_counts", Int}},
	},
	"q21": {
		DuckSQL: `SELECT auction, bidder, price, channel,
  CASE
    WHEN lower(channel) = 'apple' THEN '0'
    WHEN lower(channel) = 'google' THEN '1'
    WHEN lower(channel) = 'facebook' THEN '2'
    WHEN lower(channel) = 'baidu' THEN '3'
    ELSE NULLIF(regexp_extract(url, ` + channelIDPattern + `, 2), '')
  END AS channel_id
FROM bid
WHERE NULLIF(regexp_extract(url, ` + channelIDPattern + `, 2), '') IS NOT NULL
   OR lower(channel) IN ('apple', 'google', 'facebook', 'baidu')`,
		Columns: []Column{{"auction", Int}, {"bidder", Int}, {"price", Int}, {"channel", String}, {"channel_id", String}},
	},
	"q22": {
		DuckSQL: `SELECT auction, bidder, price, channel,
  string_split(url, '/')[4] AS dir1, string_split(url, '/')[5] AS dir2, string_split(url, '/')[6] AS dir3
FROM bid`,
		Columns: []Column{{"auction", Int}, {"bidder", Int}, {"price", Int}, {"channel", String}, {"dir1", String}, {"dir2", String}, {"dir3", String}},
	},
}

// The split-distinct variants of q15 and q16 (SET 'distinct_split') have
// the same bodies, so the same batch answer.
func init() {
	translations["q15_split"] = translations["q15"]
	translations["q16_split"] = translations["q16"]
}
