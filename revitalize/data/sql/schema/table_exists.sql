-- Whether table $1 exists in the database: 1 or 0.
SELECT count(*) FROM information_schema.tables WHERE table_name = $1
