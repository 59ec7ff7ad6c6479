-- Features of the visible layers in the given municipalities (a list of 5-digit codes), with their layer's credit
SELECT f.layer_name, l.title, l.credit, l.licence, f.row_no, f.muni_code, f.name, f.category, f.lat, f.lon, f.props
FROM user_layer_features f JOIN user_layers l ON l.name = f.layer_name
WHERE NOT l.hidden AND list_contains(?, f.muni_code)
ORDER BY l.title, f.layer_name, f.muni_code, f.row_no
