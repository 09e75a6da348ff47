-- Nexmark q2, selection: the bids on auctions whose id is a multiple of 123.

CREATE SOURCE bid (
  auction BIGINT NOT NULL, bidder BIGINT NOT NULL, price BIGINT NOT NULL,
  channel VARCHAR NOT NULL, url VARCHAR NOT NULL, "dateTime" TIMESTAMP NOT NULL, extra VARCHAR NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '4' SECOND
) WITH (connector = 'nexmark', events = '10000000', rate = '10000000', seed = '1');

CREATE VIEW q2 AS
SELECT auction, price
FROM bid
WHERE MOD(auction, 123) = 0;

CREATE SINK q2_out FROM q2 WITH (connector = 'blackhole');
