-- The number of anime places of the 2025 edition that are facilities or events.
SELECT count(*) FROM anime_sites s JOIN anime_site_editions e USING (site_id)
WHERE e.edition = 2025 AND s.kind <> 'setting'
