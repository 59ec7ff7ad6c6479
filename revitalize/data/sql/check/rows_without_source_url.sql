-- The number of rows of layer table {table} without a source URL.
SELECT count(*) FROM {table} WHERE coalesce(source_url, '') = ''
