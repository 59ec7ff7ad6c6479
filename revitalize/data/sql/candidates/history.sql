SELECT event_id, happened_at, actor, actor_role, action, from_status, to_status, reason, version_after, changes
FROM candidate_events WHERE candidate_id = ? ORDER BY event_id
