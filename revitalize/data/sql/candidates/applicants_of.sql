SELECT org_name, org_kind FROM candidate_applicants WHERE candidate_id = ? ORDER BY ord
