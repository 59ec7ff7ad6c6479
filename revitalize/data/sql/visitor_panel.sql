-- Monthly visitors by municipality, long (designated-city wards already rolled up to the city by the build):
-- one row per (muni_code, year, month) with a count; the effect verification's panel.
SELECT muni_code, year, month, visitors
FROM tourism_visits
WHERE visitors IS NOT NULL
ORDER BY muni_code, year, month
