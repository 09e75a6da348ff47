-- Processing-time windows in an embedded pipeline: the program's clock
-- (Options.Clock) decides the windows, and ProcessingTime closes them.
CREATE SOURCE clicks (user_id BIGINT NOT NULL, p AS PROCTIME()) WITH (connector = 'push');

CREATE MATERIALIZED VIEW per_user AS
SELECT user_id, COUNT(*) AS clicks, window_start, window_end
FROM TUMBLE(clicks, p, INTERVAL '10' SECOND)
GROUP BY user_id, window_start, window_end;
