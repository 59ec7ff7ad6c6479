-- Census population of municipality $1 by year (persons, with age groups).
SELECT year, total, age_0_14, age_15_64, age_65_plus FROM population WHERE muni_code = $1 ORDER BY year
