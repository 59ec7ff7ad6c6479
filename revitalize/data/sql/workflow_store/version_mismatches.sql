-- Candidates whose version differs from their number of change events (each change adds one of each).
SELECT c.candidate_id, c.version, count(e.event_id) AS events
FROM candidates c LEFT JOIN candidate_events e ON e.candidate_id = c.candidate_id
GROUP BY c.candidate_id, c.version
HAVING c.version <> count(e.event_id)
ORDER BY c.candidate_id
