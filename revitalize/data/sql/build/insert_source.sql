-- One dataset or curated layer with its credit: $1 dataset, $2 title_ja, $3 title_en, $4 publisher,
-- $5 url, $6 as_of, $7 licence, $8 credit_ja, $9 credit_en, $10 sha256, $11 retrieved_at, $12 loaded, $13 note.
INSERT INTO sources VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
