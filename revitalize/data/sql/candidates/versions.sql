-- (candidate_id, version) of every candidate: changes whenever any candidate does (a cache key).
SELECT candidate_id, version FROM candidates ORDER BY candidate_id
