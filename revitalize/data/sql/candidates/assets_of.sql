SELECT layer, asset_id FROM candidate_assets WHERE candidate_id = ? ORDER BY layer, asset_id
