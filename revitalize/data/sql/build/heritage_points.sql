-- The point of every heritage property with coordinates.
UPDATE heritage_properties SET geom = ST_Point(lon, lat) WHERE lon IS NOT NULL AND lat IS NOT NULL
