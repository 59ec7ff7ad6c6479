INSERT INTO user_layer_events (layer_name, happened_at, actor, actor_role, action, version_after, details) VALUES (?, ?, ?, ?, ?, ?, ?)
