-- unsupported: joins (lookup join with a bounded side input, FOR SYSTEM_TIME AS OF), processing time
-- Nexmark q13, bounded side input. side_input is a file of (key, value) rows.

CREATE SOURCE bid (
  auction BIGINT NOT NULL, bidder BIGINT NOT NULL, price BIGINT NOT NULL,
  channel VARCHAR NOT NULL, url VARCHAR NOT NULL, "dateTime" TIMESTAMP NOT NULL, extra VARCHAR NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '4' SECOND
) WITH (connector = 'nexmark', events = '10000000', rate = '10000000', seed = '1');

CREATE SOURCE side_input (key BIGINT NOT NULL, value VARCHAR NOT NULL)
WITH (connector = 'file', path = 'side_input.csv', format = 'csv');

CREATE VIEW q13 AS
SELECT B.auction, B.bidder, B.price, B."dateTime", S.value
FROM bid AS B
JOIN side_input FOR SYSTEM_TIME AS OF B.p_time AS S
ON MOD(B.auction, 10000) = S.key;

CREATE SINK q13_out FROM q13 WITH (connector = 'blackhole');
