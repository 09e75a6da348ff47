-- Nexmark q1, currency conversion: q0 with price x 0.908.
-- The suite's result is DECIMAL; Laminar has no DECIMAL yet, so 0.908 * price is a DOUBLE here.

CREATE SOURCE bid (
  auction BIGINT NOT NULL, bidder BIGINT NOT NULL, price BIGINT NOT NULL,
  channel VARCHAR NOT NULL, url VARCHAR NOT NULL, "dateTime" TIMESTAMP NOT NULL, extra VARCHAR NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '4' SECOND
) WITH (connector = 'nexmark', events = '10000000', rate = '10000000', seed = '1');

CREATE VIEW q1 AS
SELECT auction, bidder, 0.908 * price AS price, "dateTime", extra
FROM bid;

CREATE SINK q1_out FROM q1 WITH (connector = 'blackhole');
