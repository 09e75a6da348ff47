-- A three-level view chain over the dataflow graph: bids above a price, counted
-- per auction per 10 s, rolled up per 30 s by a window over the end of the
-- 10 s windows. Its hand-written baseline is baseline/chain3.go.

CREATE SOURCE bid (
  auction BIGINT NOT NULL, bidder BIGINT NOT NULL, price BIGINT NOT NULL,
  channel VARCHAR NOT NULL, url VARCHAR NOT NULL, "dateTime" TIMESTAMP NOT NULL, extra VARCHAR NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '4' SECOND
) WITH (connector = 'nexmark', events = '10000000', rate = '10000000', seed = '1');

CREATE VIEW pricey AS SELECT auction, price, "dateTime" FROM bid WHERE price > 1000;

CREATE VIEW per10 AS
SELECT auction, window_start, window_end, COUNT(*) AS bids, MAX(price) AS top
FROM TUMBLE(pricey, "dateTime", INTERVAL '10' SECOND)
GROUP BY auction, window_start, window_end;

CREATE VIEW chain3 AS
SELECT window_start, window_end, COUNT(*) AS auctions, SUM(bids) AS bids, MAX(top) AS top
FROM TUMBLE(per10, window_end, INTERVAL '30' SECOND)
GROUP BY window_start, window_end;

CREATE SINK chain3_out FROM chain3 WITH (connector = 'blackhole');
