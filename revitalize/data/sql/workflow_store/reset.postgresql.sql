-- `workflow restore --replace` only: remove the whole workflow schema (PostgreSQL) so the migrations can lay
-- it anew inside the restore's transaction. Audit rows are never updated or deleted one by one (the
-- append-only trigger goes with its table).
DROP TABLE IF EXISTS candidate_events, candidate_applicants, candidate_municipalities, candidate_assets,
    candidates, candidate_id_counters, workflow_users, schema_migrations CASCADE;
DROP FUNCTION IF EXISTS candidate_events_append_only() CASCADE;
