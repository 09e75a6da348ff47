-- A job long enough to interrupt: bids per auction per 10-second window over
-- generated Nexmark events. `events` is the row count: 200M run for a minute
-- or so on one core; make it smaller or larger at will.
CREATE SOURCE bid (
  auction BIGINT NOT NULL, price BIGINT NOT NULL, "dateTime" TIMESTAMP NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '4' SECOND
) WITH (connector = 'nexmark', events = '200000000', seed = '1');

CREATE MATERIALIZED VIEW bids_per_auction AS
SELECT auction, window_start, COUNT(*) AS bids, MAX(price) AS top_price
FROM TUMBLE(bid, "dateTime", INTERVAL '10' SECOND)
GROUP BY auction, window_start
EMIT ON WINDOW CLOSE;

CREATE SINK out FROM bids_per_auction WITH (connector = 'file', path = 'bids_per_auction.jsonl');
