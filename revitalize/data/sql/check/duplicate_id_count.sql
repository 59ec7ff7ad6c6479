-- The number of rows of table {table} beyond one per value of its id column {id}.
SELECT count(*) - count(DISTINCT {id}) FROM {table}
