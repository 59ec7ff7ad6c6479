-- The number of rows of table {table}.
SELECT count(*) FROM {table}
