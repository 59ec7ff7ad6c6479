DELETE FROM user_layer_features WHERE layer_name = ?
