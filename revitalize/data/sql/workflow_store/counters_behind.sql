-- Fiscal years whose id counter is behind the highest id given out (the next create would collide).
SELECT y.fy, y.top, k.last_n
FROM (SELECT CAST(substr(candidate_id, 2, 4) AS INTEGER) AS fy, max(CAST(substr(candidate_id, 7) AS INTEGER)) AS top
      FROM candidates GROUP BY 1) y
LEFT JOIN candidate_id_counters k ON k.fiscal_year = y.fy
WHERE k.last_n IS NULL OR k.last_n < y.top
ORDER BY y.fy
