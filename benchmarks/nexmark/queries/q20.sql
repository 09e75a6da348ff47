-- Nexmark q20, bids of category-10 auctions with the auction's columns. The
-- second dateTime and extra come out as dateTime0 and extra0, as in Flink.

CREATE SOURCE bid (
  auction BIGINT NOT NULL, bidder BIGINT NOT NULL, price BIGINT NOT NULL,
  channel VARCHAR NOT NULL, url VARCHAR NOT NULL, "dateTime" TIMESTAMP NOT NULL, extra VARCHAR NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '4' SECOND
) WITH (connector = 'nexmark', events = '10000000', rate = '10000000', seed = '1');

CREATE SOURCE auction (
  id BIGINT NOT NULL, "itemName" VARCHAR NOT NULL, description VARCHAR NOT NULL, "initialBid" BIGINT NOT NULL,
  reserve BIGINT NOT NULL, "dateTime" TIMESTAMP NOT NULL, expires TIMESTAMP NOT NULL, seller BIGINT NOT NULL,
  category BIGINT NOT NULL, extra VARCHAR NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '4' SECOND
) WITH (connector = 'nexmark', events = '10000000', rate = '10000000', seed = '1');

CREATE VIEW q20 AS
SELECT auction, bidder, price, channel, url, B."dateTime", B.extra,
       "itemName", description, "initialBid", reserve, A."dateTime", expires, seller, category, A.extra
FROM bid AS B INNER JOIN auction AS A ON B.auction = A.id
WHERE A.category = 10;

CREATE SINK q20_out FROM q20 WITH (connector = 'blackhole');
