INSERT INTO candidate_applicants (candidate_id, ord, org_name, org_kind) VALUES (?, ?, ?, ?)
