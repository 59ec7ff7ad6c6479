-- Every municipality's outline as WKB (EPSG:4326), for the neighbour search of effect verification.
SELECT muni_code, ST_AsWKB(geom) AS wkb
FROM municipalities
WHERE geom IS NOT NULL
ORDER BY muni_code
