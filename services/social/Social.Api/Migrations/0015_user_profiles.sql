-- The projection of a user has one name and shape on every service (docs/conventions.md): profiles becomes
-- user_profiles and its profile_as_of as_of, keeping every row. Indexes, the discovery trigger and the rows it
-- keeps go with the table; compatibility_score, whose body names the table, is redefined over the new name.
ALTER TABLE profiles RENAME TO user_profiles;
ALTER TABLE user_profiles RENAME COLUMN profile_as_of TO as_of;
ALTER INDEX profiles_pkey RENAME TO user_profiles_pkey;
ALTER INDEX profiles_username RENAME TO user_profiles_username;
ALTER INDEX profiles_region RENAME TO user_profiles_region;
ALTER INDEX profiles_interests RENAME TO user_profiles_interests;
ALTER INDEX profiles_boosted RENAME TO user_profiles_boosted;
ALTER TRIGGER profiles_discovery_entries ON user_profiles RENAME TO user_profiles_discovery_entries;

CREATE OR REPLACE FUNCTION compatibility_score(a uuid, b uuid) RETURNS integer LANGUAGE sql STABLE AS $$
    SELECT LEAST(100,
          8 * LEAST(5, cardinality(common_interests(pa.interests, pb.interests)))
        + CASE WHEN pa.region IS NOT NULL AND lower(pa.region) = lower(pb.region) THEN 20 ELSE 0 END
        + 5 * LEAST(5, (SELECT count(*) FROM connection_edges x JOIN connection_edges y ON y.other_id = x.other_id
                        WHERE x.user_id = a AND y.user_id = b))::integer
        + 5 * LEAST(3, (SELECT count(*) FROM group_members x JOIN group_members y ON y.group_id = x.group_id
                        WHERE x.user_id = a AND y.user_id = b))::integer)
    FROM user_profiles pa, user_profiles pb WHERE pa.user_id = a AND pb.user_id = b
$$;
