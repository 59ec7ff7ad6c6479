-- The number of heritage properties without a municipality.
SELECT count(*) FROM heritage_properties WHERE muni_code IS NULL
