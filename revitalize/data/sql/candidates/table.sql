-- Every candidate, one row each, with its municipality codes as a list (NULL when none) and its applicants
-- joined. Aggregated once per child table and joined (correlated subqueries are slow on DuckDB).
WITH m AS (SELECT candidate_id, array_agg(muni_code ORDER BY muni_code) AS muni_codes
           FROM candidate_municipalities GROUP BY candidate_id),
     a AS (SELECT candidate_id, string_agg(org_name || ':' || org_kind, ';' ORDER BY ord) AS applicants
           FROM candidate_applicants GROUP BY candidate_id),
     s AS (SELECT candidate_id, count(*) AS assets FROM candidate_assets GROUP BY candidate_id)
SELECT c.candidate_id, c.name_ja, c.name_en, c.base_type, c.fiscal_year, c.status,
       CAST(c.designated_on AS VARCHAR) AS designated_on,
       c.origin, c.summary, c.contact, c.source_url, c.version, c.updated_at, c.updated_by,
       m.muni_codes, a.applicants, coalesce(s.assets, 0) AS assets
FROM candidates c
LEFT JOIN m ON m.candidate_id = c.candidate_id
LEFT JOIN a ON a.candidate_id = c.candidate_id
LEFT JOIN s ON s.candidate_id = c.candidate_id
ORDER BY c.fiscal_year, c.candidate_id
