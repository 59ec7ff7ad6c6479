SELECT 1 FROM candidates WHERE candidate_id = ?
