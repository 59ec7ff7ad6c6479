-- Rows of one layer per municipality
SELECT muni_code, count(*)::INTEGER AS n FROM user_layer_features WHERE layer_name = ? AND muni_code IS NOT NULL
GROUP BY muni_code ORDER BY muni_code
