-- The film commissions of municipality $1 and those of its prefecture $2 (prefecture level), by fc_id.
SELECT * EXCLUDE (geom) FROM film_commissions
WHERE muni_code = $1 OR (level = 'prefecture' AND pref_code = $2)
ORDER BY fc_id
