UPDATE user_layer_features SET layer_name = ? WHERE layer_name = ?
