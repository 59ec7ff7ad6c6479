-- After a restore (PostgreSQL): the identity continues after the restored ids.
SELECT setval(pg_get_serial_sequence('candidate_events', 'event_id'), ?)
