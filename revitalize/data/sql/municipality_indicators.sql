-- One row per municipality with the raw indicators used by the map, the profile and scoring.
-- $1 = the latest full year of visitor data.
WITH pop AS (
    SELECT muni_code,
           max(total) FILTER (WHERE year = 2020) AS pop_2020,
           max(total) FILTER (WHERE year = 2015) AS pop_2015,
           max(age_65_plus) FILTER (WHERE year = 2020) AS age65_2020
    FROM population GROUP BY muni_code
),
vis AS (
    SELECT muni_code,
           sum(visitors) FILTER (WHERE year = $1) AS visitors_latest,
           sum(visitors) FILTER (WHERE year = $1 - 1) AS visitors_prev,
           count(*) FILTER (WHERE year = $1) AS months_latest,
           count(*) FILTER (WHERE year = $1 - 1) AS months_prev
    FROM tourism_visits GROUP BY muni_code
),
anime AS (
    SELECT s.muni_code, count(DISTINCT s.site_id) AS anime_sites, max(s.latest_edition) AS anime_latest_edition
    FROM anime_sites s WHERE s.muni_code IS NOT NULL GROUP BY s.muni_code
),
film AS (SELECT muni_code, count(*) AS filming_locations FROM filming_locations WHERE muni_code IS NOT NULL GROUP BY 1),
fc AS (SELECT muni_code, count(*) AS film_commissions FROM film_commissions WHERE muni_code IS NOT NULL GROUP BY 1),
gi AS (
    SELECT muni_code,
           count(DISTINCT gi_id) FILTER (WHERE coverage = 'whole') AS gi_whole,
           count(DISTINCT gi_id) FILTER (WHERE coverage = 'part') AS gi_part
    FROM gi_areas WHERE muni_code IS NOT NULL GROUP BY 1
),
her AS (SELECT muni_code, count(*) AS heritage_properties, count(DISTINCT story_id) AS heritage_stories
        FROM heritage_properties WHERE muni_code IS NOT NULL GROUP BY 1),
st AS (SELECT muni_code, count(*) AS roadside_stations FROM roadside_stations WHERE muni_code IS NOT NULL GROUP BY 1)
SELECT m.muni_code, m.pref_code, p.name_ja AS pref_name_ja, p.name_en AS pref_name_en, m.name_ja, m.name_kana,
       m.name_en, m.kind, m.is_disputed, m.area_km2,
       pop.pop_2020, pop.pop_2015,
       CASE WHEN pop.pop_2015 > 0 THEN 100.0 * (pop.pop_2020 - pop.pop_2015) / pop.pop_2015 END AS pop_change_pct,
       CASE WHEN pop.pop_2020 > 0 THEN 100.0 * pop.age65_2020 / pop.pop_2020 END AS share_65_pct,
       CASE WHEN vis.months_latest = 12 THEN vis.visitors_latest END AS visitors_latest,
       CASE WHEN vis.months_prev = 12 THEN vis.visitors_prev END AS visitors_prev,
       CASE WHEN vis.months_latest = 12 AND vis.months_prev = 12 AND vis.visitors_prev > 0
            THEN 100.0 * (vis.visitors_latest - vis.visitors_prev) / vis.visitors_prev END AS visitors_change_pct,
       CASE WHEN vis.months_latest = 12 AND pop.pop_2020 > 0 THEN vis.visitors_latest / pop.pop_2020 END
           AS visitors_per_resident,
       coalesce(anime.anime_sites, 0) AS anime_sites, anime.anime_latest_edition,
       coalesce(film.filming_locations, 0) AS filming_locations,
       coalesce(fc.film_commissions, 0) AS film_commissions,
       coalesce(gi.gi_whole, 0) AS gi_whole, coalesce(gi.gi_part, 0) AS gi_part,
       coalesce(her.heritage_properties, 0) AS heritage_properties,
       coalesce(her.heritage_stories, 0) AS heritage_stories,
       coalesce(st.roadside_stations, 0) AS roadside_stations,
       ST_Y(m.inner_point) AS lat, ST_X(m.inner_point) AS lon
FROM municipalities m
JOIN prefectures p USING (pref_code)
LEFT JOIN pop USING (muni_code)
LEFT JOIN vis USING (muni_code)
LEFT JOIN anime USING (muni_code)
LEFT JOIN film USING (muni_code)
LEFT JOIN fc USING (muni_code)
LEFT JOIN gi USING (muni_code)
LEFT JOIN her USING (muni_code)
LEFT JOIN st USING (muni_code)
ORDER BY m.muni_code
