-- The highest applied workflow migration.
SELECT coalesce(max(version), 0) FROM schema_migrations
