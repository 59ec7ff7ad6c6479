-- The accepted contributions (the overlay on the reference layers), oldest first.
SELECT contribution_id, layer, action, target_id, muni_code, fields, source_url, as_of, note, status, version,
       proposed_at, proposed_by, proposer_role, reviewed_at, reviewed_by, review_reason
FROM contributions WHERE status = 'accepted' ORDER BY contribution_id
