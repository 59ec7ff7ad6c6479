-- Every (municipality, GI id) of the GI production areas, with the GI id.
SELECT muni_code, gi_id, gi_id FROM gi_areas WHERE muni_code IS NOT NULL GROUP BY 1, 2
