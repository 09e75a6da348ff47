-- Session windows per user (Flink's TVF): a gap of 30 s ends a session. A
-- click that bridges two sessions merges them: under EMIT CHANGES the two
-- sessions' rows are retracted and the merged one inserted. A click later
-- than the watermark goes to the late output.
CREATE SOURCE clicks (
  user_id VARCHAR NOT NULL,
  page    VARCHAR,
  ts      TIMESTAMP NOT NULL,
  WATERMARK FOR ts AS ts - INTERVAL '1' MINUTE
) WITH (connector = 'file', path = 'input.jsonl', format = 'json');

CREATE MATERIALIZED VIEW sessions AS
SELECT user_id, window_start, window_end, COUNT(*) AS clicks, COUNT(DISTINCT page) AS pages
FROM TABLE(SESSION(TABLE clicks PARTITION BY user_id, DESCRIPTOR(ts), INTERVAL '30' SECOND))
GROUP BY user_id, window_start, window_end
EMIT CHANGES;

CREATE SINK sessions_out FROM sessions WITH (connector = 'file', path = 'output.jsonl', format = 'json');
