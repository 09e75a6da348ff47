-- Debezium change events as an updating source: a create inserts its
-- "after" row, an update retracts "before" and inserts "after", a delete
-- retracts "before". The GROUP BY folds each row by its weight; MIN and MAX
-- keep multisets, so a retracted maximum gives way to the next one.
CREATE SOURCE accounts (
  id     BIGINT NOT NULL,
  region VARCHAR NOT NULL,
  amount BIGINT NOT NULL
) WITH (connector = 'file', path = 'input.jsonl', format = 'debezium');

CREATE MATERIALIZED VIEW region_totals AS
SELECT region, COUNT(*) AS accounts, SUM(amount) AS total, MAX(amount) AS largest
FROM accounts
GROUP BY region
EMIT CHANGES;

CREATE SINK region_totals_out FROM region_totals WITH (connector = 'file', path = 'output.jsonl', format = 'json');
