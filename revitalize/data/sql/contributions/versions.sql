-- (contribution_id, version) of the accepted contributions: changes whenever the overlay does (a cache key).
SELECT contribution_id, version FROM contributions WHERE status = 'accepted' ORDER BY contribution_id
