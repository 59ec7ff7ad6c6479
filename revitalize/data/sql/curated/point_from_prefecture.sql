-- Layer table {table}: rows still without a point get a point inside their prefecture.
UPDATE {table} t SET geom = ST_PointOnSurface(p.geom), lat = ST_Y(ST_PointOnSurface(p.geom)),
    lon = ST_X(ST_PointOnSurface(p.geom))
FROM prefectures p WHERE t.lat IS NULL AND t.pref_code = p.pref_code
