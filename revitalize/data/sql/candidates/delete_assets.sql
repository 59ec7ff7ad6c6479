DELETE FROM candidate_assets WHERE candidate_id = ?
