-- Every (municipality, name) of the film commissions with its lowest fc_id.
SELECT muni_code, name_ja, min(fc_id) FROM film_commissions WHERE muni_code IS NOT NULL GROUP BY 1, 2
