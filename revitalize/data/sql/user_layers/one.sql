SELECT * FROM user_layers WHERE name = ?
