-- One fact about the build: $1 key, $2 value.
INSERT INTO build_info VALUES ($1, $2)
