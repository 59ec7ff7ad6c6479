-- Pairs (a, b), a < b, of the municipalities in list $1 whose polygons touch or overlap.
SELECT a.muni_code AS a, b.muni_code AS b
FROM municipalities a JOIN municipalities b
  ON a.muni_code < b.muni_code AND ST_Intersects(a.geom, b.geom)
WHERE list_contains($1, a.muni_code) AND list_contains($1, b.muni_code)
