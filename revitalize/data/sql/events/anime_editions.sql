-- Effect events: Anime Tourism 88 editions by municipality, one row per (municipality, edition) selected there;
-- first_here says whether a place there was selected for the first time in that edition (a re-selection is not
-- a new event). The announcement dates of the editions are in revitalize/analysis/events.py (EDITION_ANNOUNCED).
WITH firsts AS (
    SELECT site_id, min(edition) AS first_edition FROM anime_site_editions GROUP BY site_id
)
SELECT a.muni_code, e.edition,
       string_agg(DISTINCT a.work_title_ja, '・' ORDER BY a.work_title_ja) AS works_ja,
       string_agg(DISTINCT coalesce(a.work_title_en, a.work_title_ja), ' · '
                  ORDER BY coalesce(a.work_title_en, a.work_title_ja)) AS works_en,
       bool_or(e.edition = f.first_edition) AS first_here,
       first(a.source_url ORDER BY a.site_id) AS source_url
FROM anime_site_editions e
JOIN anime_sites a USING (site_id)
JOIN firsts f USING (site_id)
WHERE a.muni_code IS NOT NULL
GROUP BY a.muni_code, e.edition
ORDER BY a.muni_code, e.edition
