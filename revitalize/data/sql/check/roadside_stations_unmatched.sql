-- (name, location text) of roadside stations matched to no municipality.
SELECT name_ja, location_ja FROM roadside_stations WHERE muni_code IS NULL ORDER BY station_id
