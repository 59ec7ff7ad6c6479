-- Film commissions that serve several municipalities list them all (';'-separated 5-digit codes).
ALTER TABLE film_commissions ADD COLUMN served_muni_codes VARCHAR;
