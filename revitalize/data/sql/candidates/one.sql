SELECT * FROM candidates WHERE candidate_id = ?
