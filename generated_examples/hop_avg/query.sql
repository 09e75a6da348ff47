-- Hopping-window average temperature per sensor, only for busy sensors,
-- in LaminarDB's group-window form: HOP(time column, slide, size).
CREATE SOURCE readings (
  sensor  VARCHAR NOT NULL,
  temp    DOUBLE,
  ts      TIMESTAMP NOT NULL,
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND
) WITH (connector = 'file', path = 'input.csv', format = 'csv');

CREATE MATERIALIZED VIEW busy_sensors AS
SELECT sensor,
       HOP(ts, INTERVAL '10' SECOND, INTERVAL '30' SECOND) AS window_start,
       HOP_END(ts, INTERVAL '10' SECOND, INTERVAL '30' SECOND) AS window_end,
       ROUND(AVG(temp), 2) AS avg_temp,
       MAX(temp) AS max_temp,
       COUNT(temp) AS readings
FROM readings
WHERE sensor <> 'test'
GROUP BY HOP(ts, INTERVAL '10' SECOND, INTERVAL '30' SECOND), sensor
HAVING COUNT(*) >= 3;

CREATE SINK busy_out FROM busy_sensors WITH (connector = 'file', path = 'output.jsonl');
