-- DuckDB bulk append: {table}, {columns} and {source} (a registered DataFrame) are quoted identifiers.
INSERT INTO {table} ({columns}) SELECT {columns} FROM {source}
