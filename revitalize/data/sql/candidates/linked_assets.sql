SELECT candidate_id AS item_id, layer, asset_id FROM candidate_assets
