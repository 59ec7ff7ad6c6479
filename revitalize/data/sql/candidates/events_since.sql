-- The changes saved after a given version (what a stale save is told).
SELECT version_after, actor, happened_at, action, from_status, to_status, changes FROM candidate_events
WHERE candidate_id = ? AND version_after > ? ORDER BY version_after
