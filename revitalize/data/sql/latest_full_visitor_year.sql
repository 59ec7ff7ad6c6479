-- The latest calendar year for which most municipalities (more than half of those with any visitor data)
-- have all 12 months of visitor data.
SELECT max(year) FROM (
    SELECT year FROM tourism_visits GROUP BY year, muni_code HAVING count(DISTINCT month) = 12
) full_years
GROUP BY year
HAVING count(*) > 0.5 * (SELECT count(DISTINCT muni_code) FROM tourism_visits)
ORDER BY 1 DESC LIMIT 1
