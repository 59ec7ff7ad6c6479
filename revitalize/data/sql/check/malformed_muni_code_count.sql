-- The number of municipality codes that are not 5 digits starting 0–4.
SELECT count(*) FROM municipalities WHERE NOT regexp_full_match(muni_code, '[0-4][0-9]{4}')
