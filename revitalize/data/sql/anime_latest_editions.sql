SELECT muni_code, latest_edition FROM anime_sites
