-- Layer table {table}: a row without coordinates is placed at its municipality, else its prefecture.
UPDATE {table} SET
    location_precision = CASE WHEN lat IS NOT NULL THEN location_precision
                              WHEN muni_code IS NOT NULL THEN 'municipality' ELSE 'prefecture' END
