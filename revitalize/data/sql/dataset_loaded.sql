-- (dataset, loaded, note) of every reference dataset and curated layer the build recorded.
SELECT dataset, loaded, note FROM sources
