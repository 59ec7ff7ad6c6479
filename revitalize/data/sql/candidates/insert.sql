INSERT INTO candidates (candidate_id, name_ja, name_en, base_type, fiscal_year, status, summary, contact,
                        designated_on, origin, source_url, version, created_at, created_by, updated_at, updated_by)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)
