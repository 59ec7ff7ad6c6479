-- Japan's 2020 census population (persons).
SELECT sum(total) FROM population WHERE year = 2020
