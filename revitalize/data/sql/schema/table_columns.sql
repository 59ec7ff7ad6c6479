-- (column_name, data_type) of table $1, in column order (no rows when the table does not exist).
SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position
