-- Reserve the next n candidate numbers of a fiscal year; returns the last one reserved. The counter row
-- is locked until the transaction ends, so concurrent creates can never be given the same id.
INSERT INTO candidate_id_counters (fiscal_year, last_n) VALUES (?, ?)
ON CONFLICT (fiscal_year) DO UPDATE SET last_n = candidate_id_counters.last_n + excluded.last_n
RETURNING last_n
