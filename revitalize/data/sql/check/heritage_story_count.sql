-- The number of Japan Heritage stories.
SELECT count(*) FROM heritage_stories
