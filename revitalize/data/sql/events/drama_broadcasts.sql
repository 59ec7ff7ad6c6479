-- Effect events: the month a drama filmed or set at a filming location started broadcasting
-- (filming_locations.broadcast_start; the NHK morning and taiga dramas), one row per (municipality, work, start).
SELECT muni_code, work_title_ja, work_title_en, broadcast_start AS on_date,
       first(source_url ORDER BY location_id) AS source_url
FROM filming_locations
WHERE muni_code IS NOT NULL AND broadcast_start IS NOT NULL AND work_type = 'drama'
GROUP BY muni_code, work_title_ja, work_title_en, broadcast_start
ORDER BY muni_code, on_date
