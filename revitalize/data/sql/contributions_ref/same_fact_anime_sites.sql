-- The reference row that now holds a contributed anime place: same work title and municipality.
SELECT min(site_id) FROM anime_sites WHERE muni_code = ? AND work_title_ja = ?
