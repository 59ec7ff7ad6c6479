-- Columns {columns} of every row of table {table}.
SELECT {columns} FROM {table}
