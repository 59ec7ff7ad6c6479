-- The number of municipalities with a 2020 census row.
SELECT count(DISTINCT muni_code) FROM population WHERE year = 2020
