-- NHK taiga and morning (asadora) dramas by municipality: the series (from the row's note, which starts with
-- 'NHK大河ドラマ;' or 'NHK連続テレビ小説;'), the work and its first broadcast month; one row per (municipality, work).
SELECT muni_code,
       CASE WHEN note LIKE 'NHK大河ドラマ%' THEN 'taiga' ELSE 'asadora' END AS series,
       work_title_ja, work_title_en, min(broadcast_start) AS on_date,
       first(source_url ORDER BY location_id) AS source_url
FROM filming_locations
WHERE muni_code IS NOT NULL AND broadcast_start IS NOT NULL
  AND (note LIKE 'NHK大河ドラマ%' OR note LIKE 'NHK連続テレビ小説%')
GROUP BY muni_code, series, work_title_ja, work_title_en
ORDER BY muni_code, on_date
