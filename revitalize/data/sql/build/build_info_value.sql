-- The value the last build recorded under key $1 ('fingerprint', 'built_at' or 'missing').
SELECT value FROM build_info WHERE key = $1
