-- The GI products produced in municipality $1 (or nationwide), with the coverage of its area.
SELECT g.*, a.coverage, a.note AS area_note
FROM gi_areas a JOIN gi_products g USING (gi_id)
WHERE a.muni_code = $1 OR a.note = 'nationwide'
ORDER BY g.registry, g.reg_number
