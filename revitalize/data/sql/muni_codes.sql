SELECT muni_code FROM municipalities
