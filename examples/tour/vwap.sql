-- The README's tour: volume-weighted average price per symbol and minute.
CREATE SOURCE trades (
  symbol VARCHAR NOT NULL, price DOUBLE, volume BIGINT, ts TIMESTAMP NOT NULL,
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (connector = 'file', path = 'trades.jsonl', format = 'json');

CREATE MATERIALIZED VIEW vwap AS
SELECT symbol, window_start, window_end,
       SUM(price * volume) / SUM(volume) AS vwap, COUNT(*) AS n
FROM TUMBLE(trades, ts, INTERVAL '1' MINUTE)
GROUP BY symbol, window_start, window_end
EMIT ON WINDOW CLOSE;

CREATE SINK vwap_out FROM vwap WITH (connector = 'stdout');
