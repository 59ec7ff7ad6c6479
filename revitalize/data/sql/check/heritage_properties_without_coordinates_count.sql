-- The number of heritage properties without coordinates.
SELECT count(*) FROM heritage_properties WHERE lat IS NULL
