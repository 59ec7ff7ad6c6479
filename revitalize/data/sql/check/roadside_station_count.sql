-- The number of registered roadside stations.
SELECT count(*) FROM roadside_stations
