-- How much a store holds (a restore refuses a non-empty target unless told to replace it).
SELECT (SELECT count(*) FROM candidates), (SELECT count(*) FROM candidate_events), (SELECT count(*) FROM workflow_users)
