-- (pref_code, rows) of layer table {table}, by prefecture code.
SELECT pref_code, count(*) FROM {table} GROUP BY ALL ORDER BY 1
