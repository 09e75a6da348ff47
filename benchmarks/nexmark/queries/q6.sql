-- Nexmark q6, average selling price by seller.

CREATE SOURCE auction (
  id BIGINT NOT NULL, "itemName" VARCHAR NOT NULL, description VARCHAR NOT NULL, "initialBid" BIGINT NOT NULL,
  reserve BIGINT NOT NULL, "dateTime" TIMESTAMP NOT NULL, expires TIMESTAMP NOT NULL, seller BIGINT NOT NULL,
  category BIGINT NOT NULL, extra VARCHAR NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '4' SECOND
) WITH (connector = 'nexmark', events = '10000000', rate = '10000000', seed = '1');

CREATE SOURCE bid (
  auction BIGINT NOT NULL, bidder BIGINT NOT NULL, price BIGINT NOT NULL,
  channel VARCHAR NOT NULL, url VARCHAR NOT NULL, "dateTime" TIMESTAMP NOT NULL, extra VARCHAR NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '4' SECOND
) WITH (connector = 'nexmark', events = '10000000', rate = '10000000', seed = '1');

CREATE VIEW q6 AS
SELECT Q.seller, AVG(Q.final) OVER (PARTITION BY Q.seller ORDER BY Q."dateTime" ROWS BETWEEN 10 PRECEDING AND CURRENT ROW) AS avg_final
FROM (
  SELECT MAX(b.price) AS final, a.seller, b."dateTime"
  FROM auction AS a, bid AS b
  WHERE a.id = b.auction AND b."dateTime" BETWEEN a."dateTime" AND a.expires
  GROUP BY a.id, a.seller, b."dateTime"
) AS Q;

CREATE SINK q6_out FROM q6 WITH (connector = 'blackhole');
