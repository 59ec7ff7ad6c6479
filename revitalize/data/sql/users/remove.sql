-- Take a person's role away (they sign in as a viewer again); returns the row removed.
DELETE FROM workflow_users WHERE email = ? RETURNING email
