-- A GROUP BY over many keys: bids per price (hundreds of thousands of
-- groups), an updating view that emits each batch's changed groups. Not a
-- suite query: the keyed-state case of the workers' scaling figures.

CREATE SOURCE bid (
  auction BIGINT NOT NULL, bidder BIGINT NOT NULL, price BIGINT NOT NULL,
  channel VARCHAR NOT NULL, url VARCHAR NOT NULL, "dateTime" TIMESTAMP NOT NULL, extra VARCHAR NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '4' SECOND
) WITH (connector = 'nexmark', events = '10000000', rate = '10000000', seed = '1');

CREATE VIEW groupby_many AS
SELECT price, COUNT(*) AS bids, MAX(bidder) AS top_bidder
FROM bid
GROUP BY price;

CREATE SINK groupby_many_out FROM groupby_many WITH (connector = 'blackhole');
