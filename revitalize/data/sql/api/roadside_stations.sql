-- Roadside stations as API features. The source gives no coordinates: the point is one inside the station's
-- municipality. registered_on is the first day of the registration month.
SELECT r.station_id, r.name_ja, r.location_ja, r.pref_code, r.muni_code, r.registered_round, r.registered_year,
       r.registered_month,
       CASE WHEN r.registered_year IS NULL THEN NULL
            ELSE make_date(r.registered_year, COALESCE(r.registered_month, 1), 1) END AS registered_on,
       r.url, ST_X(m.inner_point) AS lon, ST_Y(m.inner_point) AS lat
FROM roadside_stations r
LEFT JOIN municipalities m ON m.muni_code = r.muni_code
ORDER BY r.station_id
