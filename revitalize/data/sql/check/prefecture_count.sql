-- The number of prefectures.
SELECT count(*) FROM prefectures
