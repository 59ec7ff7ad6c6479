-- Every GI production area row (gi_id, muni_code, coverage, note).
SELECT * FROM gi_areas
