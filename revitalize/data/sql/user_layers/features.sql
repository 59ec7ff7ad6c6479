SELECT * FROM user_layer_features WHERE layer_name = ? ORDER BY row_no
