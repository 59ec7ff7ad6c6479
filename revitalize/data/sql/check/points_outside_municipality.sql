-- Points of layer table {table} (id column {id}) that lie outside their municipality's polygon:
-- (item, muni_code, lat, lon, distance_km), farthest first; distance in km in EPSG:6691. Every such
-- point is returned: the caller compares distance_km with its tolerance.
SELECT t.{id} AS item, t.muni_code, t.lat, t.lon,
       ST_Distance(ST_Transform(m.geom, 'EPSG:4326', 'EPSG:6691', always_xy := true),
                   ST_Transform(t.geom, 'EPSG:4326', 'EPSG:6691', always_xy := true)) / 1000.0 AS distance_km
FROM {table} t JOIN municipalities m USING (muni_code)
WHERE t.geom IS NOT NULL AND NOT ST_Intersects(m.geom, t.geom)
ORDER BY distance_km DESC
