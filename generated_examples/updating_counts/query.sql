-- A non-windowed GROUP BY: an updating view. Each change retracts the old
-- row ("_op":"-") and inserts the new one ("_op":"+").
CREATE SOURCE clicks (
  user_id BIGINT NOT NULL,
  page    VARCHAR NOT NULL,
  ms      BIGINT
) WITH (connector = 'file', path = 'input.jsonl', format = 'json');

CREATE MATERIALIZED VIEW page_stats AS
SELECT page, COUNT(*) AS clicks, COUNT(ms) AS timed, SUM(ms) AS total_ms, MIN(user_id) AS first_user
FROM clicks
GROUP BY page
HAVING COUNT(*) > 1
EMIT CHANGES;

CREATE SINK page_stats_out FROM page_stats WITH (connector = 'file', path = 'output.jsonl', format = 'json');
