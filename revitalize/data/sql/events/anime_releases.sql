-- Effect events: the month a work set at an anime place first aired or was released (anime_sites.first_released_on),
-- one row per (municipality, work); the release page when the row has one, else the place's source.
SELECT muni_code, work_title_ja, work_title_en, min(first_released_on) AS on_date,
       first(coalesce(release_source_url, source_url) ORDER BY site_id) AS source_url
FROM anime_sites
WHERE muni_code IS NOT NULL AND first_released_on IS NOT NULL
GROUP BY muni_code, work_title_ja, work_title_en
ORDER BY muni_code, on_date
