-- A pipeline that reads its own input (a file) while the program reads the output.
CREATE SOURCE clicks (user_id BIGINT NOT NULL, page VARCHAR NOT NULL)
WITH (connector = 'file', path = 'clicks.jsonl', format = 'json');

CREATE MATERIALIZED VIEW page_counts AS
SELECT page, COUNT(*) AS clicks FROM clicks GROUP BY page;
