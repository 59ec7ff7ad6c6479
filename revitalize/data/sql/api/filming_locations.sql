-- Filming locations as API features; released_on is 1 January of the release year (the year is all the
-- source gives), so datetime queries on it have year precision.
SELECT location_id, work_title_ja, work_title_en, work_type, release_year,
       CASE WHEN release_year IS NULL THEN NULL ELSE make_date(release_year, 1, 1) END AS released_on,
       broadcast_start, broadcast_end, place_name_ja, place_name_en, pref_code, muni_code, location_precision,
       source_url, as_of, lon, lat
FROM filming_locations
ORDER BY location_id
