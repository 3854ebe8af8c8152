-- Discovery's ranking read in its own order, level by level, only as far as a page needs (issue 33). Outside the
-- caller's neighbourhood and the boosted few a candidate ranks by how many of the caller's interests they share (a
-- level), then elite before the rest, then id: with elite in the key after the range, every range is already in that
-- order within a level. The region's elite members were scored one by one before (8,000 in the largest region).
-- discovery_pairs carries each profile's interests too, so a pair range tells how many of the caller's others a row
-- shares. discovery_regions is a region's listed profiles (the level of those who share none of the caller's
-- interests, and profiles without interests). All three are rebuilt here: their keys change.
DROP TABLE discovery_entries;
DROP TABLE discovery_pairs;

CREATE TABLE discovery_entries (
    region_key    text        NOT NULL,
    interest      text        NOT NULL,
    elite         boolean     NOT NULL,
    user_id       uuid        NOT NULL,
    boosted_until timestamptz NULL,
    interests     text[]      NOT NULL,
    gender        text        NULL,
    date_of_birth date        NULL
);

CREATE TABLE discovery_pairs (
    region_key    text        NOT NULL,
    interest_a    text        NOT NULL,
    interest_b    text        NOT NULL,
    elite         boolean     NOT NULL,
    user_id       uuid        NOT NULL,
    boosted_until timestamptz NULL,
    interests     text[]      NOT NULL,
    gender        text        NULL,
    date_of_birth date        NULL,
    CHECK (interest_a < interest_b)
);

CREATE TABLE discovery_regions (
    region_key    text        NOT NULL,
    elite         boolean     NOT NULL,
    user_id       uuid        NOT NULL,
    boosted_until timestamptz NULL,
    interests     text[]      NOT NULL,
    gender        text        NULL,
    date_of_birth date        NULL
);

INSERT INTO discovery_entries (region_key, interest, elite, user_id, boosted_until, interests, gender, date_of_birth)
SELECT DISTINCT lower(p.region), i, p.tier = 'elite', p.user_id, p.boosted_until, p.interests, p.gender,
       p.date_of_birth
FROM user_profiles p, unnest(p.interests) AS i
WHERE p.username IS NOT NULL AND p.deleted_at IS NULL AND p.region IS NOT NULL;

INSERT INTO discovery_pairs (region_key, interest_a, interest_b, elite, user_id, boosted_until, interests, gender,
                             date_of_birth)
SELECT DISTINCT lower(p.region), a, b, p.tier = 'elite', p.user_id, p.boosted_until, p.interests, p.gender,
       p.date_of_birth
FROM user_profiles p, unnest(p.interests) AS a, unnest(p.interests) AS b
WHERE a < b AND p.username IS NOT NULL AND p.deleted_at IS NULL AND p.region IS NOT NULL;

INSERT INTO discovery_regions (region_key, elite, user_id, boosted_until, interests, gender, date_of_birth)
SELECT lower(p.region), p.tier = 'elite', p.user_id, p.boosted_until, p.interests, p.gender, p.date_of_birth
FROM user_profiles p
WHERE p.username IS NOT NULL AND p.deleted_at IS NULL AND p.region IS NOT NULL;

ALTER TABLE discovery_entries ADD PRIMARY KEY (region_key, interest, elite, user_id)
    INCLUDE (boosted_until, interests, gender, date_of_birth);
ALTER TABLE discovery_pairs ADD PRIMARY KEY (region_key, interest_a, interest_b, elite, user_id)
    INCLUDE (boosted_until, interests, gender, date_of_birth);
ALTER TABLE discovery_regions ADD PRIMARY KEY (region_key, elite, user_id)
    INCLUDE (boosted_until, interests, gender, date_of_birth);
CREATE INDEX discovery_entries_user ON discovery_entries (user_id);
CREATE INDEX discovery_pairs_user ON discovery_pairs (user_id);
CREATE INDEX discovery_regions_user ON discovery_regions (user_id);
-- The boosted few of a range, without reading it (an expired boost stays until the profile changes; the query
-- compares boosted_until with now, and the boost's end in the key reads only the live ones).
CREATE INDEX discovery_entries_boosted ON discovery_entries (region_key, interest, boosted_until)
    WHERE boosted_until IS NOT NULL;
CREATE INDEX discovery_regions_boosted ON discovery_regions (region_key, boosted_until)
    WHERE boosted_until IS NOT NULL;

CREATE OR REPLACE FUNCTION discovery_entries_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM discovery_entries WHERE user_id = OLD.user_id;
        DELETE FROM discovery_pairs WHERE user_id = OLD.user_id;
        DELETE FROM discovery_regions WHERE user_id = OLD.user_id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.username IS NOT NULL AND NEW.deleted_at IS NULL AND NEW.region IS NOT NULL THEN
        INSERT INTO discovery_entries (region_key, interest, elite, user_id, boosted_until, interests, gender,
                                       date_of_birth)
        SELECT DISTINCT lower(NEW.region), i, NEW.tier = 'elite', NEW.user_id, NEW.boosted_until, NEW.interests,
               NEW.gender, NEW.date_of_birth
        FROM unnest(NEW.interests) AS i;
        INSERT INTO discovery_pairs (region_key, interest_a, interest_b, elite, user_id, boosted_until, interests,
                                     gender, date_of_birth)
        SELECT DISTINCT lower(NEW.region), a, b, NEW.tier = 'elite', NEW.user_id, NEW.boosted_until, NEW.interests,
               NEW.gender, NEW.date_of_birth
        FROM unnest(NEW.interests) AS a, unnest(NEW.interests) AS b
        WHERE a < b;
        INSERT INTO discovery_regions (region_key, elite, user_id, boosted_until, interests, gender, date_of_birth)
        VALUES (lower(NEW.region), NEW.tier = 'elite', NEW.user_id, NEW.boosted_until, NEW.interests, NEW.gender,
                NEW.date_of_birth);
    END IF;
    RETURN NULL;
END
$$;

-- The tier is in the key now (elite or not), so its updates refresh the rows too.
DROP TRIGGER user_profiles_discovery_entries ON user_profiles;
CREATE TRIGGER user_profiles_discovery_entries
    AFTER INSERT OR DELETE OR UPDATE OF username, region, interests, boosted_until, gender, date_of_birth, deleted_at,
        tier ON user_profiles
    FOR EACH ROW EXECUTE FUNCTION discovery_entries_sync();

-- The planner needs the new tables' statistics before their first query, not when autovacuum gets to them.
ANALYZE discovery_entries;
ANALYZE discovery_pairs;
ANALYZE discovery_regions;
