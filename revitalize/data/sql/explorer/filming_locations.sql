-- Every filming location (without its geometry; lat/lon are kept), by location_id.
SELECT * EXCLUDE (geom) FROM filming_locations ORDER BY location_id
