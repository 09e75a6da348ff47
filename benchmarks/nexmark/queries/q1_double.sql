-- Nexmark q1 with 0.908 as a DOUBLE: not a suite query, the DOUBLE form of q1 beside it,
-- so that q1 / q1_double is the cost of DECIMAL's exactness in the same run.

CREATE SOURCE bid (
  auction BIGINT NOT NULL, bidder BIGINT NOT NULL, price BIGINT NOT NULL,
  channel VARCHAR NOT NULL, url VARCHAR NOT NULL, "dateTime" TIMESTAMP NOT NULL, extra VARCHAR NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '4' SECOND
) WITH (connector = 'nexmark', events = '10000000', rate = '10000000', seed = '1');

CREATE VIEW q1_double AS
SELECT auction, bidder, CAST(0.908 AS DOUBLE) * price AS price, "dateTime", extra
FROM bid;

CREATE SINK q1_double_out FROM q1_double WITH (connector = 'blackhole');
