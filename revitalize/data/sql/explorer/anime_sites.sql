-- Every anime place (without its geometry; lat/lon are kept), by site_id.
SELECT * EXCLUDE (geom) FROM anime_sites ORDER BY site_id
