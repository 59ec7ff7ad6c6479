-- The number of heritage properties whose point lies outside the prefecture named in spot.
SELECT count(*) FROM heritage_properties WHERE NOT location_ok AND lat IS NOT NULL
