-- The number of National Tax Agency liquor GIs.
SELECT count(*) FROM gi_products WHERE registry = 'NTA'
