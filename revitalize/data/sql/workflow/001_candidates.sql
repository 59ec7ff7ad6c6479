-- Candidates for Content Regional Revitalization Bases and their append-only audit trail.
-- Kept in its own database file so that rebuilding the reference database never touches them.
-- Uniqueness of child rows is checked by revitalize/candidates.py (DuckDB cannot delete and re-insert
-- the same primary key inside one transaction, which every edit of a candidate's lists does).
CREATE TABLE candidates (
    candidate_id VARCHAR PRIMARY KEY,
    name_ja VARCHAR NOT NULL,
    name_en VARCHAR,
    base_type VARCHAR NOT NULL CHECK (base_type IN ('tourism', 'industry', 'composite')),
    fiscal_year INTEGER NOT NULL CHECK (fiscal_year BETWEEN {FIRST_FY} AND {LAST_FY}),   -- the yearly call (Japanese FY)
    status VARCHAR NOT NULL CHECK (status IN ('draft', 'applied', 'under_review', 'shortlisted', 'nominated',
                                             'designated', 'withdrawn', 'rejected')),
    summary VARCHAR,
    contact VARCHAR,
    designated_on DATE,
    origin VARCHAR NOT NULL CHECK (origin IN ('manual', 'import', 'suggestion')),
    source_url VARCHAR,
    version INTEGER NOT NULL,            -- optimistic concurrency: every save adds 1
    created_at TIMESTAMP NOT NULL,
    created_by VARCHAR NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by VARCHAR NOT NULL
);

CREATE TABLE candidate_applicants (
    candidate_id VARCHAR NOT NULL,
    ord INTEGER NOT NULL,
    org_name VARCHAR NOT NULL,
    org_kind VARCHAR NOT NULL CHECK (org_kind IN ('municipality', 'prefecture', 'dmo', 'tourism_association',
                                                  'company', 'other'))
);

CREATE TABLE candidate_municipalities (
    candidate_id VARCHAR NOT NULL,
    muni_code VARCHAR NOT NULL
);

CREATE TABLE candidate_assets (
    candidate_id VARCHAR NOT NULL,
    layer VARCHAR NOT NULL CHECK (layer IN ('anime_sites', 'filming_locations', 'gi_products', 'heritage')),
    asset_id VARCHAR NOT NULL
);

CREATE SEQUENCE candidate_event_seq START 1;

-- Append-only: the package only ever inserts here.
CREATE TABLE candidate_events (
    event_id BIGINT PRIMARY KEY DEFAULT nextval('candidate_event_seq'),
    candidate_id VARCHAR NOT NULL,
    happened_at TIMESTAMP NOT NULL,
    actor VARCHAR NOT NULL,
    actor_role VARCHAR NOT NULL,
    action VARCHAR NOT NULL CHECK (action IN ('create', 'edit', 'transition', 'import')),
    from_status VARCHAR,
    to_status VARCHAR,
    reason VARCHAR,
    version_after INTEGER NOT NULL,
    changes VARCHAR                      -- JSON: {field: [before, after]}
);
