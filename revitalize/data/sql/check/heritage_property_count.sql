-- The number of Japan Heritage component properties.
SELECT count(*) FROM heritage_properties
