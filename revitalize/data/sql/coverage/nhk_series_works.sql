-- The number of works of one NHK series (the note's prefix, e.g. 'NHK大河ドラマ') placed in a municipality.
SELECT count(DISTINCT work_title_ja) FROM filming_locations
WHERE muni_code IS NOT NULL AND starts_with(coalesce(note, ''), ?)
