-- One audit row; the package only ever inserts into candidate_events.
INSERT INTO candidate_events (candidate_id, happened_at, actor, actor_role, action, from_status, to_status, reason,
                              version_after, changes)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
