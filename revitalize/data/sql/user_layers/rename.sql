UPDATE user_layers SET name = ?, title = ?, version = ? WHERE name = ?
