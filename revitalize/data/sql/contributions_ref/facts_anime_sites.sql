-- Every (municipality, work title) of the anime places with its lowest site_id: what a contribution is matched on.
SELECT muni_code, work_title_ja, min(site_id) FROM anime_sites WHERE muni_code IS NOT NULL GROUP BY 1, 2
