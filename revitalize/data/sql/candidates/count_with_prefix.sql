-- How many candidate ids start with a prefix (C<fiscal year>-): where the next id's search begins.
SELECT count(*) FROM candidates WHERE starts_with(candidate_id, ?)
