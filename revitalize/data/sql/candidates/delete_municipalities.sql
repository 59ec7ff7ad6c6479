DELETE FROM candidate_municipalities WHERE candidate_id = ?
