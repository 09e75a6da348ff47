-- Nexmark q3, local item suggestion.

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

CREATE VIEW q3 AS
SELECT p.name, p.city, p.state, a.id
FROM auction AS a INNER JOIN person AS p ON a.seller = p.id
WHERE a.category = 10 AND (p.state = 'OR' OR p.state = 'ID' OR p.state = 'CA');

CREATE SINK q3_out FROM q3 WITH (connector = 'blackhole');
