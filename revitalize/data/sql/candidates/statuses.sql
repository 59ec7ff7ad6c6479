-- (candidate_id, status) of every candidate: what an import checks its moves against.
SELECT candidate_id, status FROM candidates
