DELETE FROM user_layers WHERE name = ?
