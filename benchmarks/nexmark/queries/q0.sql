-- Nexmark q0, pass-through: every bid's columns but channel and url.

CREATE SOURCE bid (
  auction BIGINT NOT NULL, bidder BIGINT NOT NULL, price BIGINT NOT NULL,
  channel VARCHAR NOT NULL, url VARCHAR NOT NULL, "dateTime" TIMESTAMP NOT NULL, extra VARCHAR NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '4' SECOND
) WITH (connector = 'nexmark', events = '10000000', rate = '10000000', seed = '1');

CREATE VIEW q0 AS
SELECT auction, bidder, price, "dateTime", extra
FROM bid;

CREATE SINK q0_out FROM q0 WITH (connector = 'blackhole');
