-- IF NOT EXISTS: `workflow restore --replace` lays the candidate schema anew and must keep the user layers.
-- Layers that users import (CSV, Excel, GeoJSON, GeoPackage, KML/KMZ, zipped Shapefile), their features and
-- an append-only audit trail. Layer names are unique among layers (checked by revitalize/workflow/user_layers.py:
-- DuckDB cannot delete and re-insert the same primary key inside one transaction, which a re-import does).
CREATE TABLE IF NOT EXISTS user_layers (
    name VARCHAR NOT NULL,               -- identifier: lower-case letters, digits, underscore
    title VARCHAR NOT NULL,              -- shown in the app
    source VARCHAR NOT NULL,             -- the uploaded file's name
    licence VARCHAR,
    credit VARCHAR,                      -- the credit line shown with the layer
    owner VARCHAR NOT NULL,              -- user id of the importer
    imported_on TIMESTAMP NOT NULL,      -- UTC
    format VARCHAR NOT NULL,             -- csv | xlsx | geojson | gpkg | kml | kmz | shp
    encoding VARCHAR,                    -- text encoding assumed (CSV, Shapefile .dbf), with why
    source_crs VARCHAR,                  -- the file's coordinate system (GIS formats); features are EPSG:4326
    geometry_type VARCHAR,               -- Point, Polygon, … (most common; 'Point' for tables with lat/lon)
    mapping VARCHAR,                     -- JSON: canonical field -> source column(s)
    rows INTEGER NOT NULL,
    hidden BOOLEAN NOT NULL DEFAULT false,
    version INTEGER NOT NULL             -- every change adds 1
);

CREATE TABLE IF NOT EXISTS user_layer_features (
    layer_name VARCHAR NOT NULL,
    row_no INTEGER NOT NULL,             -- 1-based data row of the file
    muni_code VARCHAR,                   -- 5 digits: by spatial join, else from the file's code column
    name VARCHAR,
    category VARCHAR,
    props VARCHAR,                       -- JSON: every column of the file as text
    geometry BLOB,                       -- WKB, EPSG:4326 (points made from lat/lon for tables)
    lat DOUBLE,
    lon DOUBLE
);

CREATE SEQUENCE IF NOT EXISTS user_layer_event_seq START 1;

-- Append-only: the package only ever inserts here.
CREATE TABLE IF NOT EXISTS user_layer_events (
    event_id BIGINT PRIMARY KEY DEFAULT nextval('user_layer_event_seq'),
    layer_name VARCHAR NOT NULL,
    happened_at TIMESTAMP NOT NULL,
    actor VARCHAR NOT NULL,
    actor_role VARCHAR NOT NULL,
    action VARCHAR NOT NULL CHECK (action IN ('import', 'reimport', 'rename', 'hide', 'show', 'delete')),
    version_after INTEGER,
    details VARCHAR                      -- JSON: rows, source, old/new name …
);
