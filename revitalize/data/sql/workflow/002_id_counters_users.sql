-- Issue 15. Candidate ids come from one counter row per fiscal year (C<fy>-NNNN): a create reserves its
-- number by updating that row, so two creates can never pick the same id (on PostgreSQL the row lock
-- serialises them; on DuckDB the second writer's transaction conflicts and is retried). Seeded from the
-- ids already given out.
CREATE TABLE candidate_id_counters (
    fiscal_year INTEGER PRIMARY KEY,
    last_n INTEGER NOT NULL
);

INSERT INTO candidate_id_counters (fiscal_year, last_n)
SELECT CAST(substr(candidate_id, 2, 4) AS INTEGER), max(CAST(substr(candidate_id, 7) AS INTEGER))
FROM candidates GROUP BY 1;

-- Sign-in roles kept in the store (edited by an admin in the app) besides the users TOML file.
CREATE TABLE workflow_users (
    email VARCHAR PRIMARY KEY,           -- lower-cased login e-mail
    role VARCHAR NOT NULL CHECK (role IN ('viewer', 'municipality', 'reviewer', 'admin')),
    muni_codes VARCHAR NOT NULL DEFAULT '',   -- ';'-separated 5-digit codes (municipality role)
    name VARCHAR NOT NULL DEFAULT '',
    updated_at TIMESTAMP NOT NULL,
    updated_by VARCHAR NOT NULL
);
