-- The first and last month (YYYYMM) of visitor data.
SELECT min(year * 100 + month), max(year * 100 + month) FROM tourism_visits
