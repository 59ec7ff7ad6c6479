-- (dataset, note) of every dataset or layer the build did not load.
SELECT dataset, note FROM sources WHERE NOT loaded ORDER BY dataset
