-- GI products as API features: one per product x municipality of its production area, at a point inside
-- that municipality; a product without any municipality (e.g. a foreign GI) is one feature without geometry.
SELECT g.gi_id || CASE WHEN a.muni_code IS NULL THEN '' ELSE '-' || a.muni_code END AS feature_id,
       g.gi_id, g.registry, g.reg_number, g.name_ja, g.name_kana, g.name_en, g.product_class, g.registered_on,
       g.producer_group, g.area_text_ja, a.muni_code, m.pref_code, a.coverage, g.source_url, g.as_of,
       ST_X(m.inner_point) AS lon, ST_Y(m.inner_point) AS lat
FROM gi_products g
LEFT JOIN gi_areas a ON a.gi_id = g.gi_id AND a.muni_code IS NOT NULL
LEFT JOIN municipalities m ON m.muni_code = a.muni_code
ORDER BY g.gi_id, a.muni_code
