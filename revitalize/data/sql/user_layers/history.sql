SELECT * FROM user_layer_events WHERE layer_name = ? ORDER BY event_id
