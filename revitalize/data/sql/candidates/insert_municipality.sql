INSERT INTO candidate_municipalities (candidate_id, muni_code) VALUES (?, ?)
