-- An embedded pipeline: the program pushes trades in and reads two views.
CREATE SOURCE trades (
  symbol VARCHAR NOT NULL,
  price  DOUBLE NOT NULL,
  volume BIGINT NOT NULL,
  ts     TIMESTAMP NOT NULL,
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND
) WITH (connector = 'push');

-- Volume-weighted average price per symbol and 10-second window (append-only).
CREATE MATERIALIZED VIEW vwap AS
SELECT symbol, window_start, window_end, SUM(price * volume) / SUM(volume) AS vwap, COUNT(*) AS trades
FROM TUMBLE(trades, ts, INTERVAL '10' SECOND)
GROUP BY symbol, window_start, window_end;

-- Running volume per symbol (updating: each change retracts the old row).
CREATE MATERIALIZED VIEW volume_by_symbol AS
SELECT symbol, SUM(volume) AS volume, MAX(price) AS high
FROM trades
GROUP BY symbol;

-- The windows also go to a file: with a StateDir, exactly once across crashes.
CREATE SINK vwap_file FROM vwap WITH (connector = 'file', path = 'vwap.jsonl');
