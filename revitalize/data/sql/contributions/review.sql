-- A review decision, only if nobody decided since the version read (optimistic concurrency).
UPDATE contributions SET status = ?, version = ?, reviewed_at = ?, reviewed_by = ?, review_reason = ?
WHERE contribution_id = ? AND version = ?
RETURNING version
