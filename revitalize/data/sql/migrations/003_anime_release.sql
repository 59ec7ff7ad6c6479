-- anime_sites: when each work first aired or was released, and the page stating it (issue 14).
ALTER TABLE anime_sites ADD COLUMN first_released_on DATE;
ALTER TABLE anime_sites ADD COLUMN release_source_url VARCHAR;
