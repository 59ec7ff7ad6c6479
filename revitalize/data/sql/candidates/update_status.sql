-- A status move, only if nobody saved since the version read.
UPDATE candidates SET status = ?, designated_on = ?, version = ?, updated_at = ?, updated_by = ?
WHERE candidate_id = ? AND version = ?
RETURNING version
