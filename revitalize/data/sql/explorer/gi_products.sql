-- Every GI product, by registry and registration number.
SELECT * FROM gi_products ORDER BY registry, reg_number
