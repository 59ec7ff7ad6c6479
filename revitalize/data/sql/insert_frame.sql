-- Every row of the registered frame _frame into table {table}, columns matched by name.
INSERT INTO {table} BY NAME SELECT * FROM _frame
