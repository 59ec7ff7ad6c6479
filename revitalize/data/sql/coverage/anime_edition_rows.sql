-- The number of anime place rows listed in one edition of アニメ聖地88 (parameter: edition year).
SELECT count(*) FROM anime_site_editions WHERE edition = ?
