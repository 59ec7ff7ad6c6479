-- One migrating process at a time (held until the migration's transaction ends).
SELECT pg_advisory_xact_lock(7215400150)
