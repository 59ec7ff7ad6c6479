-- The number of disputed Northern Territories villages.
SELECT count(*) FROM municipalities WHERE is_disputed
