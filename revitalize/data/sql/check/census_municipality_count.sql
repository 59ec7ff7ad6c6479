-- The number of census municipalities (the disputed Northern Territories villages left out).
SELECT count(*) FROM municipalities WHERE NOT is_disputed
