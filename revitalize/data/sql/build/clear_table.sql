-- Empties table {table} (inside the build's transaction, before it is written again).
DELETE FROM {table}
