-- Nexmark q11, user sessions: bids per bidder per session (a gap of 10 s ends
-- one). The body is Flink's (group-window form), unchanged.

CREATE SOURCE bid (
  auction BIGINT NOT NULL, bidder BIGINT NOT NULL, price BIGINT NOT NULL,
  channel VARCHAR NOT NULL, url VARCHAR NOT NULL, "dateTime" TIMESTAMP NOT NULL, extra VARCHAR NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '4' SECOND
) WITH (connector = 'nexmark', events = '10000000', rate = '10000000', seed = '1');

CREATE VIEW q11 AS
SELECT
    B.bidder,
    count(*) as bid_count,
    SESSION_START(B.`dateTime`, INTERVAL '10' SECOND) as starttime,
    SESSION_END(B.`dateTime`, INTERVAL '10' SECOND) as endtime
FROM bid B
GROUP BY B.bidder, SESSION(B.`dateTime`, INTERVAL '10' SECOND);

CREATE SINK q11_out FROM q11 WITH (connector = 'blackhole');
