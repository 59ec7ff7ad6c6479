-- Records that anime place $1 (site_id) is listed in edition $2 (year).
INSERT INTO anime_site_editions VALUES ($1, $2)
