-- (edition, rows) of the anime places, by edition year.
SELECT edition, count(*) FROM anime_site_editions GROUP BY 1 ORDER BY 1
