-- A restore writes the backup's counters (then moves them past the restored ids).
DELETE FROM candidate_id_counters
