-- After a restore (DuckDB): move the event sequence past the restored ids (DuckDB has no setval).
SELECT max(nextval('candidate_event_seq')) FROM range(?)
