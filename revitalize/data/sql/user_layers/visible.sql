SELECT * FROM user_layers WHERE NOT hidden ORDER BY imported_on DESC, name
