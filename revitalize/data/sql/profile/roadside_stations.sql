-- The roadside stations in municipality $1, by name.
SELECT station_id, name_ja, location_ja, registered_year, url FROM roadside_stations
WHERE muni_code = $1
ORDER BY name_ja
