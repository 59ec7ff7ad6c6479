SELECT candidate_id, muni_code FROM candidate_municipalities ORDER BY 1, 2
