-- Audit rows of candidates that do not exist.
SELECT count(*) FROM candidate_events e WHERE NOT EXISTS (SELECT 1 FROM candidates c WHERE c.candidate_id = e.candidate_id)
