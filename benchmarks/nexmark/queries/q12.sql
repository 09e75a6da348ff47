-- Nexmark q12, processing-time windows: bids per bidder per 10 s tumbling
-- window of the wall clock. The body is Flink's, unchanged. Its rows depend on
-- when the job runs (docs/dialect.md, "Processing time"): tests check their
-- shape and counts, not the rows.

CREATE SOURCE bid (
  auction BIGINT NOT NULL, bidder BIGINT NOT NULL, price BIGINT NOT NULL,
  channel VARCHAR NOT NULL, url VARCHAR NOT NULL, "dateTime" TIMESTAMP NOT NULL, extra VARCHAR NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '4' SECOND
) WITH (connector = 'nexmark', events = '10000000', rate = '10000000', seed = '1');

CREATE VIEW B AS SELECT *, PROCTIME() as p_time FROM bid;

CREATE VIEW q12 AS
SELECT
    bidder,
    count(*) as bid_count,
    window_start AS starttime,
    window_end AS endtime
FROM TABLE(
        TUMBLE(TABLE B, DESCRIPTOR(p_time), INTERVAL '10' SECOND))
GROUP BY bidder, window_start, window_end;

CREATE SINK q12_out FROM q12 WITH (connector = 'blackhole');
