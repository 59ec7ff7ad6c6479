-- Every film commission (without its geometry; lat/lon are kept), by fc_id.
SELECT * EXCLUDE (geom) FROM film_commissions ORDER BY fc_id
