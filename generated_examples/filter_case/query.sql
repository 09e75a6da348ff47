-- A stateless filter/project pipeline: CASE, NULLs, string functions, IN and BETWEEN.
CREATE SOURCE orders (
  id       BIGINT NOT NULL,
  customer VARCHAR,
  amount   DOUBLE,
  country  VARCHAR,
  status   VARCHAR,
  ts       TIMESTAMP NOT NULL
) WITH (connector = 'file', path = 'input.jsonl');

CREATE SINK big_orders WITH (connector = 'file', path = 'output.jsonl', format = 'json');

INSERT INTO big_orders
SELECT id,
       UPPER(COALESCE(customer, 'unknown')) AS customer,
       amount,
       CASE WHEN amount >= 1000 THEN 'large'
            WHEN amount >= 100 THEN 'medium'
            WHEN amount IS NULL THEN NULL
            ELSE 'small' END AS size,
       country IN ('DE', 'FR', 'IT') AS eu,
       SUBSTRING(status FROM 1 FOR 3) || '-' || CAST(id % 10 AS VARCHAR) AS tag,
       ts
FROM orders
WHERE (amount BETWEEN 50 AND 5000 OR amount IS NULL) AND status <> 'cancelled';
