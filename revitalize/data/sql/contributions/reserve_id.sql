-- Reserve the next contribution number; the counter row is locked until the transaction ends.
INSERT INTO contribution_id_counter (name, last_n) VALUES ('K', 1)
ON CONFLICT (name) DO UPDATE SET last_n = contribution_id_counter.last_n + 1
RETURNING last_n
