-- Film commissions as API features (point from lat/lon).
SELECT fc_id, name_ja, name_en, level, pref_code, muni_code, jfc_member, operator_ja, website,
       served_muni_codes, source_url, as_of, lon, lat
FROM film_commissions
ORDER BY fc_id
