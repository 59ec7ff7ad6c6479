-- The reference row that now holds a contributed GI production area: same municipality and product.
SELECT min(gi_id) FROM gi_areas WHERE muni_code = ? AND gi_id = ?
