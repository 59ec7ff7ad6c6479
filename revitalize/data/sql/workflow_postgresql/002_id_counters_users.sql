-- Issue 15: id counters per fiscal year, sign-in roles in the store, and the audit table made append-only
-- by the database itself (as data/sql/workflow/002 for DuckDB, plus the triggers DuckDB lacks).
CREATE TABLE candidate_id_counters (
    fiscal_year INTEGER PRIMARY KEY,
    last_n INTEGER NOT NULL
);

INSERT INTO candidate_id_counters (fiscal_year, last_n)
SELECT CAST(substr(candidate_id, 2, 4) AS INTEGER), max(CAST(substr(candidate_id, 7) AS INTEGER))
FROM candidates GROUP BY 1;

CREATE TABLE workflow_users (
    email TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'municipality', 'reviewer', 'admin')),
    muni_codes TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL DEFAULT '',
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL
);

-- Nobody rewrites history: any UPDATE, DELETE or TRUNCATE of candidate_events is refused.
CREATE FUNCTION candidate_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'candidate_events is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'audit rows are only ever inserted; correct a record with a new change instead';
END
$$;

CREATE TRIGGER candidate_events_no_update_delete BEFORE UPDATE OR DELETE ON candidate_events
    FOR EACH ROW EXECUTE FUNCTION candidate_events_append_only();

CREATE TRIGGER candidate_events_no_truncate BEFORE TRUNCATE ON candidate_events
    FOR EACH STATEMENT EXECUTE FUNCTION candidate_events_append_only();
