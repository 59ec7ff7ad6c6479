-- The finer outline (N03 simplified to 1 %, per prefecture) of every municipality, for maps that draw
-- one municipality alone (profile, evidence sheet); designated cities are their wards dissolved.
CREATE TABLE municipality_outlines (
    muni_code VARCHAR NOT NULL,
    geom GEOMETRY
);
