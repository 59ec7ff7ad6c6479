-- One audit row; the package only ever inserts into contribution_events.
INSERT INTO contribution_events (contribution_id, happened_at, actor, actor_role, action, from_status, to_status,
                                 reason, version_after)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
