-- The number of film commissions that are Japan Film Commission members.
SELECT count(*) FROM film_commissions WHERE jfc_member
