-- Whether curated table {table} holds a row whose id column {id} is the parameter: the count.
SELECT count(*) FROM {table} WHERE {id} = ?
