-- The number of GI products of one registry (MAFF, NTA) not marked cancelled (取消).
SELECT count(*) FROM gi_products
WHERE registry = ? AND coalesce(note, '') NOT ILIKE '%取消%' AND coalesce(note, '') NOT ILIKE '%cancel%'
