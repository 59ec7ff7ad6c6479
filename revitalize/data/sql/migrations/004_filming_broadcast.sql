-- Filming locations: broadcast period of TV dramas (NHK taiga and asadora), ISO month as the first day.
ALTER TABLE filming_locations ADD COLUMN broadcast_start DATE;
ALTER TABLE filming_locations ADD COLUMN broadcast_end DATE;
