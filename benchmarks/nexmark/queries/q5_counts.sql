-- Nexmark q5, its windowed-aggregate part: bids per auction per hopping window
-- (10 s sliding by 2 s). The full q5 then keeps each window's auctions with the
-- maximum count, which needs a join of two aggregates (see q5.sql).

CREATE SOURCE bid (
  auction BIGINT NOT NULL, bidder BIGINT NOT NULL, price BIGINT NOT NULL,
  channel VARCHAR NOT NULL, url VARCHAR NOT NULL, "dateTime" TIMESTAMP NOT NULL, extra VARCHAR NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '4' SECOND
) WITH (connector = 'nexmark', events = '10000000', rate = '10000000', seed = '1');

CREATE VIEW q5_counts AS
SELECT auction, COUNT(*) AS num, window_start, window_end
FROM HOP(bid, "dateTime", INTERVAL '2' SECOND, INTERVAL '10' SECOND)
GROUP BY auction, window_start, window_end;

CREATE SINK q5_counts_out FROM q5_counts WITH (connector = 'blackhole');
