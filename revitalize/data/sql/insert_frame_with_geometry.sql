-- Every row of the registered frame _frame into table {table}, columns matched by name; frame
-- column {geom} holds WKB bytes for the table's GEOMETRY column of that name.
INSERT INTO {table} BY NAME SELECT * REPLACE (ST_GeomFromWKB({geom}) AS {geom}) FROM _frame
