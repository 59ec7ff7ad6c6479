SELECT muni_code, name_ja FROM municipalities
