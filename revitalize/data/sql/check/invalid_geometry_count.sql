-- The number of municipality polygons that are not valid.
SELECT count(*) FROM municipalities WHERE geom IS NOT NULL AND NOT ST_IsValid(geom)
