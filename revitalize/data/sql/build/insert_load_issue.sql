-- One note about the data: $1 dataset, $2 kind, $3 item, $4 detail.
INSERT INTO load_issues VALUES ($1, $2, $3, $4)
