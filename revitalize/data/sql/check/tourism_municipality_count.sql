-- The number of municipalities with monthly visitor rows.
SELECT count(DISTINCT muni_code) FROM tourism_visits
