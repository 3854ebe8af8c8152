-- compatibility_points gains compatibility_score's shared-groups part (5 points a group, up to 15,
-- migration 0003), so discovery's ranking and the score a profile shows stay the same number.
DROP FUNCTION compatibility_points(integer, boolean, bigint);
CREATE FUNCTION compatibility_points(shared_interests integer, same_region boolean, common_connections bigint, shared_groups bigint)
RETURNS integer LANGUAGE sql IMMUTABLE AS $$
    SELECT LEAST(100, 8 * LEAST(5, shared_interests) + CASE WHEN same_region THEN 20 ELSE 0 END
                      + 5 * LEAST(5, common_connections)::integer + 5 * LEAST(3, shared_groups)::integer)
$$;
