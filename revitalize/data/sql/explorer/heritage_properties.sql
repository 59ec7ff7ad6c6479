-- The Japan Heritage component properties with coordinates inside their prefecture, with their story.
SELECT h.property_id, h.name_ja, h.yomi, h.status_ja, h.lat, h.lon, h.url AS source_url,
       h.muni_code, h.location_ok, s.name_ja AS story_ja, s.story_id
FROM heritage_properties h JOIN heritage_stories s USING (story_id)
WHERE h.lat IS NOT NULL AND h.location_ok
ORDER BY property_id
