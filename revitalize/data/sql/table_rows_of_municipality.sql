-- Columns {columns} of the rows of table {table} in municipality $1 (its muni_code).
SELECT {columns} FROM {table} WHERE muni_code = $1
