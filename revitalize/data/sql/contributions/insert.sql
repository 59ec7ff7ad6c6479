-- A new contribution (pending).
INSERT INTO contributions (contribution_id, layer, action, target_id, muni_code, fields, source_url, as_of, note,
                           status, version, proposed_at, proposed_by, proposer_role)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 1, ?, ?, ?)
