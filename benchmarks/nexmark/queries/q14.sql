-- Nexmark q14, calculation: converted price in a range, a label from the hour of the
-- bid, and the suite's user-defined count_char(extra, 'c'), a Go function here
-- (benchmarks/nexmark/udfs); 0.908 * price is a DECIMAL, as in the suite.

CREATE FUNCTION count_char(s VARCHAR, c VARCHAR) RETURNS BIGINT
  LANGUAGE GO AS 'github.com/laminar-sql/laminar/benchmarks/nexmark/udfs.CountChar';

CREATE SOURCE bid (
  auction BIGINT NOT NULL, bidder BIGINT NOT NULL, price BIGINT NOT NULL,
  channel VARCHAR NOT NULL, url VARCHAR NOT NULL, "dateTime" TIMESTAMP NOT NULL, extra VARCHAR NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '4' SECOND
) WITH (connector = 'nexmark', events = '10000000', rate = '10000000', seed = '1');

CREATE VIEW q14 AS
SELECT auction, bidder, 0.908 * price AS price,
  CASE
    WHEN HOUR("dateTime") >= 8 AND HOUR("dateTime") <= 18 THEN 'dayTime'
    WHEN HOUR("dateTime") <= 6 OR HOUR("dateTime") >= 20 THEN 'nightTime'
    ELSE 'otherTime'
  END AS "bidTimeType",
  "dateTime", extra, count_char(extra, 'c') AS c_counts
FROM bid
WHERE 0.908 * price > 1000000 AND 0.908 * price < 50000000;

CREATE SINK q14_out FROM q14 WITH (connector = 'blackhole');
