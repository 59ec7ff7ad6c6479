-- The finer (1 %) outline of municipality $1 where the build has one, else its nationwide (0.1 %) polygon.
SELECT coalesce(o.geom, m.geom) AS geom
FROM municipalities m LEFT JOIN municipality_outlines o USING (muni_code)
WHERE m.muni_code = $1
