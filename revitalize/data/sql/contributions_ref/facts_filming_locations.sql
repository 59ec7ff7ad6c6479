-- Every (municipality, work title) of the filming locations with its lowest location_id.
SELECT muni_code, work_title_ja, min(location_id) FROM filming_locations WHERE muni_code IS NOT NULL GROUP BY 1, 2
