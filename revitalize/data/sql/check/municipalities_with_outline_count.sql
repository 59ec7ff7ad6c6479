-- The number of municipalities with a finer (1 %) outline for single-municipality maps.
SELECT count(*) FROM municipalities m WHERE EXISTS (SELECT 1 FROM municipality_outlines o WHERE o.muni_code = m.muni_code)
