INSERT INTO candidate_assets (candidate_id, layer, asset_id) VALUES (?, ?, ?)
