-- Nexmark q1, currency conversion: q0 with price x 0.908.
-- As in the suite, 0.908 is a DECIMAL literal and 0.908 * price a DECIMAL (DECIMAL(23,3) here,
-- as in DuckDB: exact, written with three digits after the point).

CREATE SOURCE bid (
  auction BIGINT NOT NULL, bidder BIGINT NOT NULL, price BIGINT NOT NULL,
  channel VARCHAR NOT NULL, url VARCHAR NOT NULL, "dateTime" TIMESTAMP NOT NULL, extra VARCHAR NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '4' SECOND
) WITH (connector = 'nexmark', events = '10000000', rate = '10000000', seed = '1');

CREATE VIEW q1 AS
SELECT auction, bidder, 0.908 * price AS price, "dateTime", extra
FROM bid;

CREATE SINK q1_out FROM q1 WITH (connector = 'blackhole');
