-- Nexmark q7, highest bid.

CREATE SOURCE bid (
  auction BIGINT NOT NULL, bidder BIGINT NOT NULL, price BIGINT NOT NULL,
  channel VARCHAR NOT NULL, url VARCHAR NOT NULL, "dateTime" TIMESTAMP NOT NULL, extra VARCHAR NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '4' SECOND
) WITH (connector = 'nexmark', events = '10000000', rate = '10000000', seed = '1');

CREATE VIEW q7 AS
SELECT B.auction, B.price, B.bidder, B."dateTime", B.extra
FROM bid AS B
JOIN (
  SELECT MAX(price) AS maxprice, window_end AS "dateTime"
  FROM TUMBLE(bid, "dateTime", INTERVAL '10' SECOND)
  GROUP BY window_start, window_end
) AS B1
ON B.price = B1.maxprice
WHERE B."dateTime" BETWEEN B1."dateTime" - INTERVAL '10' SECOND AND B1."dateTime";

CREATE SINK q7_out FROM q7 WITH (connector = 'blackhole');
