-- The number of domestic GI products without a production area row.
SELECT count(*) FROM gi_products g
WHERE registry <> 'foreign' AND NOT EXISTS (SELECT 1 FROM gi_areas a WHERE a.gi_id = g.gi_id)
