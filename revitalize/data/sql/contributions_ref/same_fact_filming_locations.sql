-- The reference row that now holds a contributed filming location: same work title and municipality.
SELECT min(location_id) FROM filming_locations WHERE muni_code = ? AND work_title_ja = ?
