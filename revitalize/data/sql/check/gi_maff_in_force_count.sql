-- The number of MAFF GI products not marked cancelled (取消).
SELECT count(*) FROM gi_products
WHERE registry = 'MAFF' AND coalesce(note, '') NOT ILIKE '%取消%' AND coalesce(note, '') NOT ILIKE '%cancel%'
