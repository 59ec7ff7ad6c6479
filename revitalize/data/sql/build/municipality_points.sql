-- Every municipality's centroid and a representative point guaranteed inside its polygon.
UPDATE municipalities SET centroid = ST_Centroid(geom), inner_point = ST_PointOnSurface(geom)
