-- Does the store have its migrations table yet (DuckDB's catalogue function: faster than information_schema)?
SELECT count(*) FROM duckdb_tables() WHERE table_name = ?
