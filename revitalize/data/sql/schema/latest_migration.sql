-- The highest applied migration version (0 when none).
SELECT coalesce(max(version), 0) FROM schema_migrations
