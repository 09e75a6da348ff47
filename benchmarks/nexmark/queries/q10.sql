-- Nexmark q10, log to file system: bids with their date and time formatted.
-- The suite writes them to files partitioned by (dt, hm); for the benchmark the rows go to
-- the blackhole sink like every other query. Flink's text, with its filesystem sink, runs as
-- tests/nexmarkdiff/testdata/q10_flink.sql (TestQ10Flink).

CREATE SOURCE bid (
  auction BIGINT NOT NULL, bidder BIGINT NOT NULL, price BIGINT NOT NULL,
  channel VARCHAR NOT NULL, url VARCHAR NOT NULL, "dateTime" TIMESTAMP NOT NULL, extra VARCHAR NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '4' SECOND
) WITH (connector = 'nexmark', events = '10000000', rate = '10000000', seed = '1');

CREATE VIEW q10 AS
SELECT auction, bidder, price, "dateTime", extra,
       DATE_FORMAT("dateTime", 'yyyy-MM-dd') AS dt, DATE_FORMAT("dateTime", 'HH:mm') AS hm
FROM bid;

CREATE SINK q10_out FROM q10 WITH (connector = 'blackhole');
