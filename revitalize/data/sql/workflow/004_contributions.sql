-- IF NOT EXISTS: `workflow restore --replace` lays the candidate schema anew and must keep the contributions
-- (as the user layers of 003; neither is in a backup yet).
-- Issue 23: contributions — additions, corrections and removals of curated-layer rows proposed by the
-- municipalities, film commissions and DMOs that know them, reviewed before they count. They live in the
-- workflow store, so a rebuild of the reference database never touches them (they are an overlay).
CREATE TABLE IF NOT EXISTS contributions (
    contribution_id VARCHAR PRIMARY KEY,     -- K-NNNNN, from contribution_id_counter
    layer VARCHAR NOT NULL CHECK (layer IN ('anime_sites', 'filming_locations', 'film_commissions', 'gi_areas')),
    action VARCHAR NOT NULL CHECK (action IN ('add', 'correct', 'remove')),
    target_id VARCHAR,                       -- the curated row corrected or removed
    muni_code VARCHAR NOT NULL,
    fields VARCHAR NOT NULL,                 -- JSON object: the new row's fields, or field → new value
    source_url VARCHAR NOT NULL,
    as_of DATE NOT NULL,
    note VARCHAR NOT NULL DEFAULT '',
    status VARCHAR NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected', 'retired')),
    version INTEGER NOT NULL,
    proposed_at TIMESTAMP NOT NULL,
    proposed_by VARCHAR NOT NULL,
    proposer_role VARCHAR NOT NULL,
    reviewed_at TIMESTAMP,
    reviewed_by VARCHAR,
    review_reason VARCHAR
);

CREATE TABLE IF NOT EXISTS contribution_id_counter (
    name VARCHAR PRIMARY KEY,
    last_n INTEGER NOT NULL
);

CREATE SEQUENCE IF NOT EXISTS contribution_event_seq START 1;
CREATE TABLE IF NOT EXISTS contribution_events (
    event_id BIGINT PRIMARY KEY DEFAULT nextval('contribution_event_seq'),
    contribution_id VARCHAR NOT NULL,
    happened_at TIMESTAMP NOT NULL,
    actor VARCHAR NOT NULL,
    actor_role VARCHAR NOT NULL,
    action VARCHAR NOT NULL CHECK (action IN ('propose', 'accept', 'reject', 'retire')),
    from_status VARCHAR,
    to_status VARCHAR NOT NULL,
    reason VARCHAR,
    version_after INTEGER NOT NULL
);
