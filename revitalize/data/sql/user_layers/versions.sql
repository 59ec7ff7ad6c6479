SELECT name, version, hidden FROM user_layers ORDER BY name
