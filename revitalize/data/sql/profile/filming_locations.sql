-- The filming locations in municipality $1, by location_id.
SELECT * EXCLUDE (geom) FROM filming_locations WHERE muni_code = $1 ORDER BY location_id
