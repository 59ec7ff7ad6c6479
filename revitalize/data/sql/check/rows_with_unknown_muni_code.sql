-- The number of rows of layer table {table} whose muni_code is not a municipality.
SELECT count(*) FROM {table} t
WHERE t.muni_code IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM municipalities m WHERE m.muni_code = t.muni_code)
