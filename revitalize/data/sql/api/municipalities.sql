-- Every municipality as a feature of the API's municipalities collection: names, prefecture, 2020 population
-- and its polygon (the nationwide 0.1 % outline the app's maps draw) as WKB. The score is joined by the caller.
SELECT m.muni_code, m.pref_code, p.name_ja AS pref_name_ja, p.name_en AS pref_name_en, m.name_ja, m.name_en,
       m.name_kana, m.kind, pop.total AS population_2020, ST_AsWKB(m.geom) AS geom
FROM municipalities m
LEFT JOIN prefectures p USING (pref_code)
LEFT JOIN population pop ON pop.muni_code = m.muni_code AND pop.year = 2020
ORDER BY m.muni_code
