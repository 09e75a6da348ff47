-- unsupported: processing time (PROCTIME() windows)
-- Nexmark q12, processing-time windows.

CREATE SOURCE bid (
  auction BIGINT NOT NULL, bidder BIGINT NOT NULL, price BIGINT NOT NULL,
  channel VARCHAR NOT NULL, url VARCHAR NOT NULL, "dateTime" TIMESTAMP NOT NULL, extra VARCHAR NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '4' SECOND
) WITH (connector = 'nexmark', events = '10000000', rate = '10000000', seed = '1');

CREATE VIEW q12 AS
SELECT bidder, COUNT(*) AS bid_count, window_start, window_end
FROM TUMBLE(bid, PROCTIME(), INTERVAL '10' SECOND)
GROUP BY bidder, window_start, window_end;

CREATE SINK q12_out FROM q12 WITH (connector = 'blackhole');
