-- Monthly visitors to municipality $1.
SELECT year, month, visitors FROM tourism_visits WHERE muni_code = $1 ORDER BY year, month
