-- Every municipality code with its names (effect verification: tells an unknown code from one without visitor data).
SELECT muni_code, name_ja, name_en
FROM municipalities
ORDER BY muni_code
