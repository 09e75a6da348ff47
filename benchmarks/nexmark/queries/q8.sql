-- Nexmark q8, monitor new users.

CREATE SOURCE person (
  id BIGINT NOT NULL, name VARCHAR NOT NULL, "emailAddress" VARCHAR NOT NULL, "creditCard" VARCHAR NOT NULL,
  city VARCHAR NOT NULL, state VARCHAR NOT NULL, "dateTime" TIMESTAMP NOT NULL, extra VARCHAR NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '4' SECOND
) WITH (connector = 'nexmark', events = '10000000', rate = '10000000', seed = '1');

CREATE SOURCE auction (
  id BIGINT NOT NULL, "itemName" VARCHAR NOT NULL, description VARCHAR NOT NULL, "initialBid" BIGINT NOT NULL,
  reserve BIGINT NOT NULL, "dateTime" TIMESTAMP NOT NULL, expires TIMESTAMP NOT NULL, seller BIGINT NOT NULL,
  category BIGINT NOT NULL, extra VARCHAR NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '4' SECOND
) WITH (connector = 'nexmark', events = '10000000', rate = '10000000', seed = '1');

CREATE VIEW q8 AS
SELECT P.id, P.name, P.starttime
FROM (
  SELECT id, name, window_start AS starttime, window_end AS endtime
  FROM TUMBLE(person, "dateTime", INTERVAL '10' SECOND)
  GROUP BY id, name, window_start, window_end
) AS P
JOIN (
  SELECT seller, window_start AS starttime, window_end AS endtime
  FROM TUMBLE(auction, "dateTime", INTERVAL '10' SECOND)
  GROUP BY seller, window_start, window_end
) AS A
ON P.id = A.seller AND P.starttime = A.starttime AND P.endtime = A.endtime;

CREATE SINK q8_out FROM q8 WITH (connector = 'blackhole');
