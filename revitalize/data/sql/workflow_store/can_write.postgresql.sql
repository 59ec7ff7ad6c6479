-- May this login write the workflow tables, and is the server a primary (not a read-only standby)?
SELECT has_table_privilege('candidates', 'INSERT') AND has_table_privilege('candidates', 'UPDATE')
       AND has_table_privilege('candidate_events', 'INSERT') AND NOT pg_is_in_recovery()
