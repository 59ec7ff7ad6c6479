-- Every row of one workflow table ({table} and {columns} are quoted identifiers), for a backup.
SELECT {columns} FROM {table} ORDER BY {columns}
