-- (rows, distinct works, rows with a release or broadcast year) of the filming locations
SELECT count(*), count(DISTINCT work_title_ja), count(*) FILTER (WHERE release_year IS NOT NULL) FROM filming_locations
