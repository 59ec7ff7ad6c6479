SELECT candidate_id FROM candidates
