-- The build's fingerprint: what the API's ETags are derived from.
SELECT value FROM build_info WHERE key = 'fingerprint'
