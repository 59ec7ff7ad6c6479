-- Points (_assign_points: k, lon, lat) to municipalities: containing polygon first, then the nearest
-- polygon within $2 km (prefiltered by $1 degrees, measured in EPSG:6691 metres).
WITH p AS (
    SELECT k, ST_Point(lon, lat) AS g FROM _assign_points WHERE lon IS NOT NULL AND lat IS NOT NULL
),
inside AS (
    SELECT p.k, min(m.muni_code) AS muni_code
    FROM p JOIN municipalities m ON ST_Intersects(m.geom, p.g)
    GROUP BY p.k
),
outside AS (
    SELECT p.k, p.g FROM p ANTI JOIN inside USING (k)
),
near AS (
    SELECT o.k, m.muni_code,
           ST_Distance(ST_Transform(m.geom, 'EPSG:4326', 'EPSG:6691', always_xy := true),
                       ST_Transform(o.g, 'EPSG:4326', 'EPSG:6691', always_xy := true)) / 1000.0 AS distance_km
    FROM outside o JOIN municipalities m ON ST_DWithin(m.geom, o.g, $1)
),
nearest AS (
    SELECT k, arg_min(muni_code, distance_km) AS muni_code, min(distance_km) AS distance_km
    FROM near WHERE distance_km <= $2 GROUP BY k
)
SELECT k, muni_code, 0.0 AS distance_km FROM inside
UNION ALL
SELECT k, muni_code, distance_km FROM nearest
