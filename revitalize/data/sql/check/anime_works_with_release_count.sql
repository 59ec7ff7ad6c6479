-- (works that are settings of an anime place, those of them with a first-release month)
SELECT count(DISTINCT work_title_ja), count(DISTINCT work_title_ja) FILTER (WHERE first_released_on IS NOT NULL)
FROM anime_sites WHERE kind = 'setting' AND work_title_ja IS NOT NULL
