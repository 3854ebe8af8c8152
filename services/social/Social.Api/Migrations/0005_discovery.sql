-- compatibility_score's points from their three inputs, as one expression the planner inlines, so
-- discovery can rank thousands of candidates from columns and a join instead of calling
-- compatibility_score (two profile lookups and a join of connections) once per candidate.
-- Keep the two in step: compatibility_score(a, b) = compatibility_points(shared interests, same region, connections in common).
CREATE FUNCTION compatibility_points(shared_interests integer, same_region boolean, common_connections bigint)
RETURNS integer LANGUAGE sql IMMUTABLE AS $$
    SELECT LEAST(100, 8 * LEAST(5, shared_interests) + CASE WHEN same_region THEN 20 ELSE 0 END + 5 * LEAST(5, common_connections)::integer)
$$;

