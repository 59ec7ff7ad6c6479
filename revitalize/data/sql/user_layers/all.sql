SELECT * FROM user_layers ORDER BY imported_on DESC, name
