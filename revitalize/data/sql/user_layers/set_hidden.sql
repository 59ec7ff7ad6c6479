UPDATE user_layers SET hidden = ?, version = ? WHERE name = ?
