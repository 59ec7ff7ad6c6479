-- The number of census municipalities (disputed villages left out) with a polygon and a representative point.
SELECT count(*) FROM municipalities WHERE NOT is_disputed AND geom IS NOT NULL AND inner_point IS NOT NULL
