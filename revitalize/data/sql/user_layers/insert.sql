INSERT INTO user_layers (name, title, source, licence, credit, owner, imported_on, format, encoding, source_crs,
                         geometry_type, mapping, rows, hidden, version)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
