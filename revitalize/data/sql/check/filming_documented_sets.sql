-- Works of the documented filming sets present with at least one municipality (geodata/README.md):
-- (NHK 大河ドラマ and 連続テレビ小説 — the rows with broadcast months —, ロケーションジャパン大賞 winners — told by the note)
SELECT count(DISTINCT work_title_ja) FILTER (WHERE (broadcast_start IS NOT NULL OR broadcast_end IS NOT NULL)
                                             AND muni_code IS NOT NULL),
       count(DISTINCT work_title_ja) FILTER (WHERE note LIKE '%ロケーションジャパン大賞%')
FROM filming_locations
