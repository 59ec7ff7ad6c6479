-- Every contribution, newest first.
SELECT contribution_id, layer, action, target_id, muni_code, fields, source_url, as_of, note, status, version,
       proposed_at, proposed_by, proposer_role, reviewed_at, reviewed_by, review_reason
FROM contributions ORDER BY contribution_id DESC
