-- An import of the official list: every field and the status, only if nobody saved since the version read.
UPDATE candidates SET name_ja = ?, name_en = ?, base_type = ?, fiscal_year = ?, summary = ?, contact = ?,
       source_url = ?, status = ?, designated_on = ?, version = ?, updated_at = ?, updated_by = ?
WHERE candidate_id = ? AND version = ?
RETURNING version
