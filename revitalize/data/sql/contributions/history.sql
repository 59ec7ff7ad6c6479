-- A contribution's audit trail, oldest first.
SELECT event_id, happened_at, actor, actor_role, action, from_status, to_status, reason, version_after
FROM contribution_events WHERE contribution_id = ? ORDER BY event_id
