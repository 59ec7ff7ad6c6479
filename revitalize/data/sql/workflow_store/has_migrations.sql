-- Does the store have its migrations table yet (a new store has not)?
SELECT count(*) FROM information_schema.tables WHERE table_name = ? AND table_schema = current_schema()
