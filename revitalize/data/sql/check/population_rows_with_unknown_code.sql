-- The number of population rows whose code is not a municipality.
SELECT count(*) FROM population p ANTI JOIN municipalities m USING (muni_code)
