-- The latest calendar year for which most municipalities have all 12 months of visitor data.
SELECT max(year) FROM (
    SELECT year, muni_code FROM tourism_visits GROUP BY year, muni_code HAVING count(DISTINCT month) = 12
) GROUP BY ALL HAVING count(*) > 1000
