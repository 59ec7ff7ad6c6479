-- The Japan Heritage component properties in municipality $1, with their story's name.
SELECT h.property_id, h.name_ja, h.yomi, h.status_ja, h.url, h.location_ok, s.name_ja AS story_ja
FROM heritage_properties h JOIN heritage_stories s USING (story_id)
WHERE h.muni_code = $1
ORDER BY property_id
