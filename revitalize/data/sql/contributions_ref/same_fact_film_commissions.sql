-- The reference row that now holds a contributed film commission: same municipality and name.
SELECT min(fc_id) FROM film_commissions WHERE muni_code = ? AND name_ja = ?
