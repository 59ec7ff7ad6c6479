-- Designated-city wards and their city (effect verification: visitors are counted for the city as a whole).
SELECT ward_code, muni_code
FROM wards
ORDER BY ward_code
