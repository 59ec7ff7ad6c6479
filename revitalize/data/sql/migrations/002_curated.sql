-- The project's own curated layers (geodata/*.csv), see revitalize/curated.py.
CREATE TABLE anime_sites (
    site_id VARCHAR NOT NULL,
    work_title_ja VARCHAR,
    work_title_en VARCHAR,
    place_name_ja VARCHAR NOT NULL,
    place_name_en VARCHAR,
    pref_code VARCHAR NOT NULL,
    muni_code VARCHAR,
    lat DOUBLE,
    lon DOUBLE,
    location_precision VARCHAR NOT NULL,   -- landmark | municipality | prefecture
    coord_source_url VARCHAR,
    kind VARCHAR NOT NULL,                 -- setting | facility | event
    editions VARCHAR,                      -- '2019;2020;2025'
    latest_edition INTEGER,
    source_url VARCHAR NOT NULL,
    as_of DATE,
    note VARCHAR,
    geom GEOMETRY
);
CREATE TABLE anime_site_editions (
    site_id VARCHAR NOT NULL,
    edition INTEGER NOT NULL
);
CREATE TABLE filming_locations (
    location_id VARCHAR NOT NULL,
    work_title_ja VARCHAR NOT NULL,
    work_title_en VARCHAR,
    work_type VARCHAR NOT NULL,            -- film | drama | anime_film | other
    release_year INTEGER,
    production_country VARCHAR,
    place_name_ja VARCHAR NOT NULL,
    place_name_en VARCHAR,
    pref_code VARCHAR NOT NULL,
    muni_code VARCHAR,
    lat DOUBLE,
    lon DOUBLE,
    location_precision VARCHAR NOT NULL,
    coord_source_url VARCHAR,
    source_url VARCHAR NOT NULL,
    as_of DATE,
    note VARCHAR,
    geom GEOMETRY
);
CREATE TABLE film_commissions (
    fc_id VARCHAR NOT NULL,
    name_ja VARCHAR NOT NULL,
    name_en VARCHAR,
    level VARCHAR NOT NULL,                -- prefecture | municipality | region
    pref_code VARCHAR NOT NULL,
    muni_code VARCHAR,
    jfc_member BOOLEAN,
    operator_ja VARCHAR,
    website VARCHAR,
    source_url VARCHAR NOT NULL,
    as_of DATE,
    note VARCHAR,
    location_precision VARCHAR NOT NULL,
    lat DOUBLE,
    lon DOUBLE,
    geom GEOMETRY
);
CREATE TABLE gi_products (
    gi_id VARCHAR NOT NULL,
    registry VARCHAR NOT NULL,             -- MAFF | NTA | foreign
    reg_number INTEGER NOT NULL,
    name_ja VARCHAR NOT NULL,
    name_kana VARCHAR,
    name_en VARCHAR,
    product_class VARCHAR,
    registered_on DATE,
    producer_group VARCHAR,
    area_text_ja VARCHAR,
    pref_codes VARCHAR,
    source_url VARCHAR NOT NULL,
    as_of DATE,
    note VARCHAR
);
CREATE TABLE gi_areas (
    gi_id VARCHAR NOT NULL,
    muni_code VARCHAR,                     -- NULL only for a nationwide GI (note = 'nationwide')
    coverage VARCHAR NOT NULL,             -- whole | part
    note VARCHAR
);
