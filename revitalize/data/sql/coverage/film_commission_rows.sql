-- The number of film commissions held.
SELECT count(*) FROM film_commissions
