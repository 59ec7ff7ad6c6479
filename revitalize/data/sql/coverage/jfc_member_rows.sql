-- The number of film commissions known to be Japan Film Commission members.
SELECT count(*) FROM film_commissions WHERE jfc_member
