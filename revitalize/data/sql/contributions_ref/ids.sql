-- Every id (column {id}) of curated table {table}.
SELECT DISTINCT {id} FROM {table}
