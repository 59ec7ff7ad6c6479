-- (muni_code, name_ja, name_en, pref_code, geom) of every municipality, geom its finer (1 %) outline
-- where the build has one, else its nationwide (0.1 %) polygon; by code.
SELECT m.muni_code, m.name_ja, m.name_en, m.pref_code, coalesce(o.geom, m.geom) AS geom
FROM municipalities m LEFT JOIN municipality_outlines o USING (muni_code)
ORDER BY m.muni_code
