SELECT * FROM user_layer_events ORDER BY event_id
