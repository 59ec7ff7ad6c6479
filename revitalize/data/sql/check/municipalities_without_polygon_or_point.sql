-- 'code name' of every municipality lacking a polygon or a representative point, by code.
SELECT muni_code || ' ' || name_ja FROM municipalities WHERE geom IS NULL OR inner_point IS NULL ORDER BY 1
