-- Every signed-in person given a role in the store (edited by an admin in the app).
SELECT email, role, muni_codes, name, updated_at, updated_by FROM workflow_users ORDER BY email
