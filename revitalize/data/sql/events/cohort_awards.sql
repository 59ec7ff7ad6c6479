-- Location Japan award (ロケーションジャパン大賞) prizes by municipality: the note names the edition and the
-- year of announcement ('第10回ロケーションジャパン大賞(2020年発表) グランプリ'); one row per (municipality, work).
SELECT muni_code, work_title_ja, work_title_en,
       TRY_CAST(regexp_extract(note, 'ロケーションジャパン大賞\((\d{4})年発表\)', 1) AS INTEGER) AS award_year,
       regexp_extract(note, '第\d+回ロケーションジャパン大賞[^;]*') AS prize,
       first(source_url ORDER BY location_id) AS source_url
FROM filming_locations
WHERE muni_code IS NOT NULL AND note LIKE '%ロケーションジャパン大賞%'
GROUP BY muni_code, work_title_ja, work_title_en, award_year, prize
ORDER BY muni_code, award_year
