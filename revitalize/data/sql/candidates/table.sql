-- Every candidate, one row each, with its municipality codes as a list (NULL when none) and its applicants joined.
SELECT c.candidate_id, c.name_ja, c.name_en, c.base_type, c.fiscal_year, c.status,
       CAST(c.designated_on AS VARCHAR) AS designated_on,
       c.origin, c.summary, c.contact, c.source_url, c.version, c.updated_at, c.updated_by,
       (SELECT array_agg(m.muni_code ORDER BY m.muni_code) FROM candidate_municipalities m
         WHERE m.candidate_id = c.candidate_id) AS muni_codes,
       (SELECT string_agg(a.org_name || ':' || a.org_kind, ';' ORDER BY a.ord) FROM candidate_applicants a
         WHERE a.candidate_id = c.candidate_id) AS applicants,
       (SELECT count(*) FROM candidate_assets s WHERE s.candidate_id = c.candidate_id) AS assets
FROM candidates c ORDER BY c.fiscal_year, c.candidate_id
