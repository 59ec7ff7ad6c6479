INSERT INTO user_layer_features SELECT layer_name, row_no, muni_code, name, category, props, geometry, lat, lon FROM _user_layer_rows
