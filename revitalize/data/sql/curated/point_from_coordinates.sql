-- Layer table {table}: the point of every row with coordinates.
UPDATE {table} SET geom = ST_Point(lon, lat) WHERE lat IS NOT NULL
