-- An edit, only if nobody saved since the version read (optimistic concurrency).
UPDATE candidates SET name_ja = ?, name_en = ?, base_type = ?, fiscal_year = ?, summary = ?, contact = ?,
       source_url = ?, version = ?, updated_at = ?, updated_by = ?
WHERE candidate_id = ? AND version = ?
RETURNING version
