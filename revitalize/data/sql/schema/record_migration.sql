-- Records migration $1 (version) named $2 as applied.
INSERT INTO schema_migrations (version, name) VALUES ($1, $2)
