-- compatibility_score's points from their three inputs, as one expression the planner inlines, so
-- discovery can rank thousands of candidates from columns and a join instead of calling
-- compatibility_score (two profile lookups and a join of connections) once per candidate.
-- Keep the two in step: compatibility_score(a, b) = compatibility_points(shared interests, same region, connections in common).
CREATE FUNCTION compatibility_points(shared_interests integer, same_region boolean, common_connections bigint)
RETURNS integer LANGUAGE sql IMMUTABLE AS $$
    SELECT LEAST(100, 8 * LEAST(5, shared_interests) + CASE WHEN same_region THEN 20 ELSE 0 END + 5 * LEAST(5, common_connections)::integer)
$$;

-- Discovery's usual filter is a region and an interest: one key per (region, interest) of a profile,
-- so a GIN index finds exactly the profiles with both instead of all of the region's and then
-- their interests row by row. The query keeps its own region and interest tests, so a region or an
-- interest containing the separator cannot match what it should not.
CREATE FUNCTION discovery_keys(region text, interests text[]) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT COALESCE(array_agg(lower(region) || '/' || i), '{}') FROM unnest(interests) AS i WHERE region IS NOT NULL
$$;
CREATE INDEX profiles_discovery ON profiles USING gin (discovery_keys(region, interests)) WHERE deleted_at IS NULL AND username IS NOT NULL;
