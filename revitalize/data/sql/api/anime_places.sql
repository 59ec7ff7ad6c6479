-- The anime places (Anime Tourism 88) as API features: point from lat/lon, editions as a ';'-joined list.
SELECT site_id, work_title_ja, work_title_en, place_name_ja, place_name_en, pref_code, muni_code, kind,
       location_precision, editions, latest_edition, first_released_on, source_url, as_of, lon, lat
FROM anime_sites
ORDER BY site_id
