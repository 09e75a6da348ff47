-- Nexmark q13, bounded side input: bids joined with a small table of
-- (key, value) rows read from a file, looked up as it is when each bid is
-- processed. The body is Flink's, unchanged; side_input is a lookup table.

CREATE SOURCE bid (
  auction BIGINT NOT NULL, bidder BIGINT NOT NULL, price BIGINT NOT NULL,
  channel VARCHAR NOT NULL, url VARCHAR NOT NULL, "dateTime" TIMESTAMP NOT NULL, extra VARCHAR NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '4' SECOND
) WITH (connector = 'nexmark', events = '10000000', rate = '10000000', seed = '1');

CREATE TABLE side_input (
  key BIGINT,
  `value` VARCHAR
) WITH (connector = 'file', path = 'side_input.csv', format = 'csv');

CREATE VIEW q13 AS
SELECT
    B.auction,
    B.bidder,
    B.price,
    B."dateTime",
    S.`value`
FROM (SELECT *, PROCTIME() as p_time FROM bid) B
JOIN side_input FOR SYSTEM_TIME AS OF B.p_time AS S
ON mod(B.auction, 10000) = S.key;

CREATE SINK q13_out FROM q13 WITH (connector = 'blackhole');
