-- Layer table {table}: rows without coordinates get their municipality's inner point.
UPDATE {table} t SET geom = m.inner_point, lat = ST_Y(m.inner_point), lon = ST_X(m.inner_point)
FROM municipalities m WHERE t.lat IS NULL AND t.muni_code = m.muni_code
