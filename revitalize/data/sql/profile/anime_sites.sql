-- The anime places in municipality $1, by site_id.
SELECT * EXCLUDE (geom) FROM anime_sites WHERE muni_code = $1 ORDER BY site_id
