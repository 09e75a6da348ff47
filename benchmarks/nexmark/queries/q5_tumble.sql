-- Bids per auction per 10 s tumbling window: the counting part of q5 with a
-- tumbling window, the query eKuiper runs beside it (tumble_count).

CREATE SOURCE bid (
  auction BIGINT NOT NULL, bidder BIGINT NOT NULL, price BIGINT NOT NULL,
  channel VARCHAR NOT NULL, url VARCHAR NOT NULL, "dateTime" TIMESTAMP NOT NULL, extra VARCHAR NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '4' SECOND
) WITH (connector = 'nexmark', events = '10000000', rate = '10000000', seed = '1');

CREATE VIEW q5_tumble AS
SELECT auction, COUNT(*) AS num, window_start, window_end
FROM TUMBLE(bid, "dateTime", INTERVAL '10' SECOND)
GROUP BY auction, window_start, window_end;

CREATE SINK q5_tumble_out FROM q5_tumble WITH (connector = 'blackhole');
