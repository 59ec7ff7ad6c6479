-- The number of municipality rows beyond one per code.
SELECT count(*) - count(DISTINCT muni_code) FROM municipalities
