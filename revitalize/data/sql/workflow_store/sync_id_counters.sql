-- After a restore: no counter may be behind the ids already given out (else a create would collide).
INSERT INTO candidate_id_counters (fiscal_year, last_n)
SELECT CAST(substr(candidate_id, 2, 4) AS INTEGER), max(CAST(substr(candidate_id, 7) AS INTEGER))
FROM candidates GROUP BY 1
ON CONFLICT (fiscal_year) DO UPDATE SET last_n = greatest(candidate_id_counters.last_n, excluded.last_n)
