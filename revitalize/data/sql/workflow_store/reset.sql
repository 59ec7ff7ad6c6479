-- `workflow restore --replace` only: remove the whole workflow schema (DuckDB) so the migrations can lay it
-- anew inside the restore's transaction. Audit rows are never updated or deleted one by one.
DROP TABLE IF EXISTS candidate_events;
DROP SEQUENCE IF EXISTS candidate_event_seq;
DROP TABLE IF EXISTS candidate_applicants;
DROP TABLE IF EXISTS candidate_municipalities;
DROP TABLE IF EXISTS candidate_assets;
DROP TABLE IF EXISTS candidates;
DROP TABLE IF EXISTS candidate_id_counters;
DROP TABLE IF EXISTS workflow_users;
DROP TABLE IF EXISTS schema_migrations;
