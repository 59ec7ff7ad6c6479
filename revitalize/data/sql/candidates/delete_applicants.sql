DELETE FROM candidate_applicants WHERE candidate_id = ?
