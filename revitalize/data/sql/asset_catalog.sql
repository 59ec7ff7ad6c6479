-- Every asset a candidate can build on, with the municipality it lies in: (layer, asset_id, label, source_url, muni_code).
SELECT 'anime_sites' AS layer, site_id AS asset_id,
       coalesce(work_title_ja, '') || ' — ' || place_name_ja AS label, source_url, muni_code
FROM anime_sites
UNION ALL
SELECT 'filming_locations', location_id, work_title_ja || ' — ' || place_name_ja, source_url, muni_code
FROM filming_locations
UNION ALL
SELECT 'gi_products', p.gi_id, p.name_ja || ' (' || p.registry || ' 第' || p.reg_number || '号)', p.source_url, a.muni_code
FROM gi_products p JOIN gi_areas a USING (gi_id)
WHERE a.muni_code IS NOT NULL
UNION ALL
SELECT DISTINCT 'heritage', CAST(s.story_id AS VARCHAR), '日本遺産 ' || s.name_ja, s.url, h.muni_code
FROM heritage_stories s JOIN heritage_properties h USING (story_id)
WHERE h.muni_code IS NOT NULL
