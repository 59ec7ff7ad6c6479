-- Reference tables built from the registry's files (see revitalize/sources.py).
CREATE TABLE prefectures (
    pref_code VARCHAR NOT NULL,      -- JIS X 0401, '01'..'47'
    name_ja VARCHAR NOT NULL,
    name_en VARCHAR,
    region_ja VARCHAR,
    region_en VARCHAR,
    geom GEOMETRY
);
CREATE TABLE municipalities (
    muni_code VARCHAR NOT NULL,      -- 全国地方公共団体コード, 5 characters without check digit
    pref_code VARCHAR NOT NULL,
    name_ja VARCHAR NOT NULL,
    name_kana VARCHAR,
    name_en VARCHAR,
    county_ja VARCHAR,               -- 郡 (or NULL)
    subpref_ja VARCHAR,              -- Hokkaido 振興局 (or NULL)
    kind VARCHAR NOT NULL,           -- designated_city | city | special_ward | town | village
    is_disputed BOOLEAN NOT NULL,    -- the six Northern Territories villages
    geom GEOMETRY,
    centroid GEOMETRY,
    inner_point GEOMETRY,            -- a point guaranteed inside the polygon (for municipality-precision points)
    area_km2 DOUBLE
);
CREATE TABLE wards (
    ward_code VARCHAR NOT NULL,
    muni_code VARCHAR NOT NULL,
    name_ja VARCHAR NOT NULL,
    geom GEOMETRY
);
CREATE TABLE population (
    muni_code VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    total BIGINT,
    age_0_14 BIGINT,
    age_15_64 BIGINT,
    age_65_plus BIGINT
);
CREATE TABLE tourism_visits (
    muni_code VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    month INTEGER NOT NULL,
    visitors BIGINT
);
CREATE TABLE heritage_stories (
    story_id INTEGER NOT NULL,
    name_ja VARCHAR NOT NULL,
    subname_ja VARCHAR,
    areas_ja VARCHAR,
    pref_codes VARCHAR,
    url VARCHAR,
    lat DOUBLE,
    lon DOUBLE
);
CREATE TABLE heritage_properties (
    property_id INTEGER NOT NULL,
    story_id INTEGER NOT NULL,
    seq INTEGER,
    name_ja VARCHAR NOT NULL,
    yomi VARCHAR,
    status_ja VARCHAR,
    spot_ja VARCHAR,
    spot_pref_code VARCHAR,
    lat DOUBLE,
    lon DOUBLE,
    url VARCHAR,
    muni_code VARCHAR,               -- by spatial join; for flagged points, from the spot text
    geo_muni_code VARCHAR,           -- the municipality the coordinates fall in (or nearest within 2 km)
    spot_muni_code VARCHAR,          -- the municipality named in spot, matched by name
    distance_km DOUBLE,              -- 0 inside the municipality; > 0 when assigned to the nearest one
    location_ok BOOLEAN NOT NULL,    -- the point lies in the prefecture named in spot
    geom GEOMETRY
);
CREATE TABLE roadside_stations (
    station_id VARCHAR NOT NULL,
    pref_code VARCHAR,
    name_ja VARCHAR NOT NULL,
    location_ja VARCHAR,
    registered_round INTEGER,
    registered_year INTEGER,
    registered_month INTEGER,
    url VARCHAR,
    muni_code VARCHAR
);
CREATE TABLE sources (
    dataset VARCHAR NOT NULL,
    title_ja VARCHAR,
    title_en VARCHAR,
    publisher VARCHAR,
    url VARCHAR,
    as_of VARCHAR,
    licence VARCHAR,
    credit_ja VARCHAR,
    credit_en VARCHAR,
    sha256 VARCHAR,
    retrieved_at TIMESTAMP,
    loaded BOOLEAN NOT NULL,
    note VARCHAR
);
CREATE TABLE load_issues (
    dataset VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    item VARCHAR,
    detail VARCHAR
);
CREATE TABLE build_info (
    key VARCHAR NOT NULL,
    value VARCHAR
);
