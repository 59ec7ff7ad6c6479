-- Japan Heritage component properties as API features, with the name of their story.
SELECT CAST(p.property_id AS VARCHAR) AS property_id, p.story_id, s.name_ja AS story_name_ja, p.name_ja, p.yomi,
       p.status_ja, p.spot_ja, COALESCE(m.pref_code, p.spot_pref_code) AS pref_code, p.muni_code, p.url,
       p.location_ok, p.lon, p.lat
FROM heritage_properties p
LEFT JOIN heritage_stories s USING (story_id)
LEFT JOIN municipalities m ON m.muni_code = p.muni_code
ORDER BY p.property_id
