-- Nexmark q7, its windowed-aggregate part: the maximum bid price per 10 s tumbling
-- window. The full q7 then joins the bids back on that maximum (see q7.sql).

CREATE SOURCE bid (
  auction BIGINT NOT NULL, bidder BIGINT NOT NULL, price BIGINT NOT NULL,
  channel VARCHAR NOT NULL, url VARCHAR NOT NULL, "dateTime" TIMESTAMP NOT NULL, extra VARCHAR NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '4' SECOND
) WITH (connector = 'nexmark', events = '10000000', rate = '10000000', seed = '1');

CREATE VIEW q7_max AS
SELECT window_start, window_end, MAX(price) AS maxprice
FROM TUMBLE(bid, "dateTime", INTERVAL '10' SECOND)
GROUP BY window_start, window_end;

CREATE SINK q7_max_out FROM q7_max WITH (connector = 'blackhole');
