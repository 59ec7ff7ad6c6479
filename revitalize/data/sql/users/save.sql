-- Give a person a role (or change it).
INSERT INTO workflow_users (email, role, muni_codes, name, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (email) DO UPDATE SET role = excluded.role, muni_codes = excluded.muni_codes, name = excluded.name,
    updated_at = excluded.updated_at, updated_by = excluded.updated_by
