SELECT muni_code FROM candidate_municipalities WHERE candidate_id = ? ORDER BY muni_code
