-- Municipalities whose polygon lies within $2 km of municipality $1 (distance between polygons, EPSG:6691).
WITH me AS (SELECT geom FROM municipalities WHERE muni_code = $1),
near AS (
    SELECT m.muni_code, m.name_ja, m.name_en, m.pref_code,
           ST_Distance(ST_Transform(m.geom, 'EPSG:4326', 'EPSG:6691', always_xy := true),
                       ST_Transform(me.geom, 'EPSG:4326', 'EPSG:6691', always_xy := true)) / 1000.0 AS distance_km
    FROM municipalities m, me
    WHERE m.muni_code <> $1 AND m.geom IS NOT NULL AND ST_DWithin(m.geom, me.geom, $2 / 50.0)
)
SELECT * FROM near WHERE distance_km <= $2 ORDER BY distance_km, muni_code
