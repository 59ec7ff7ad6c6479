-- Distance (km, in EPSG:6691 metres / 1000; 0 inside) from each point (_hint_points: k, lon, lat, muni_code) to
-- the municipality its row names (by code or in its address)
SELECT p.k,
       ST_Distance(ST_Transform(m.geom, 'EPSG:4326', 'EPSG:6691', always_xy := true),
                   ST_Transform(ST_Point(p.lon, p.lat), 'EPSG:4326', 'EPSG:6691', always_xy := true)) / 1000.0
           AS distance_km
FROM _hint_points p JOIN municipalities m ON m.muni_code = p.muni_code
