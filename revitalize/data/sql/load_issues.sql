-- (dataset, kind, item, detail) of every note the build recorded about the data.
SELECT dataset, kind, item, detail FROM load_issues ORDER BY dataset, kind, item
