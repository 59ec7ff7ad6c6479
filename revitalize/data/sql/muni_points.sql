-- A representative point (inside the polygon), prefecture, region and latest population of every municipality.
SELECT m.muni_code, m.pref_code, m.name_ja, m.name_en, p.region_ja, p.region_en,
       ST_Y(m.inner_point) AS lat, ST_X(m.inner_point) AS lon,
       (SELECT total FROM population q WHERE q.muni_code = m.muni_code ORDER BY year DESC LIMIT 1) AS population
FROM municipalities m JOIN prefectures p USING (pref_code)
ORDER BY m.muni_code
