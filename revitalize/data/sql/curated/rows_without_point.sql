-- Layer table {table}: how many rows have no point (no coordinates, and no boundaries to place them).
SELECT count(*) FROM {table} WHERE geom IS NULL
