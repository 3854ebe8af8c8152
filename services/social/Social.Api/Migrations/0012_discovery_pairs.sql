-- Discovery's ranking without scoring every candidate of a large region and interest (58,626 in the
-- 1,000,000-profile benchmark: 30 ms server side even from an index alone). Outside the caller's
-- neighbourhood (connections in common, shared groups) and the boosted few, a candidate's score depends
-- only on how many of the caller's interests they share. Those who share one besides the asked-for
-- interest are found here, one key range per interest of the caller; everyone else in the range scores the
-- same, so they are read in id order and only as far as a page needs. A row per region and unordered pair
-- of a listed profile's interests (interest_a < interest_b), kept by the same trigger as discovery_entries.
CREATE TABLE discovery_pairs (
    region_key    text        NOT NULL,
    interest_a    text        NOT NULL,
    interest_b    text        NOT NULL,
    user_id       uuid        NOT NULL,
    boosted_until timestamptz NULL,
    gender        text        NULL,
    date_of_birth date        NULL,
    PRIMARY KEY (region_key, interest_a, interest_b, user_id) INCLUDE (boosted_until, gender, date_of_birth),
    CHECK (interest_a < interest_b)
);
CREATE INDEX discovery_pairs_user ON discovery_pairs (user_id);

-- The boosted few of a region and interest, without reading the range (an expired boost stays until the
-- profile changes; the query compares boosted_until with now).
CREATE INDEX discovery_entries_boosted ON discovery_entries (region_key, interest, user_id) WHERE boosted_until IS NOT NULL;

CREATE OR REPLACE FUNCTION discovery_entries_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM discovery_entries WHERE user_id = OLD.user_id;
        DELETE FROM discovery_pairs WHERE user_id = OLD.user_id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.username IS NOT NULL AND NEW.deleted_at IS NULL AND NEW.region IS NOT NULL THEN
        INSERT INTO discovery_entries (region_key, interest, user_id, boosted_until, interests, gender, date_of_birth)
        SELECT DISTINCT lower(NEW.region), i, NEW.user_id, NEW.boosted_until, NEW.interests, NEW.gender, NEW.date_of_birth
        FROM unnest(NEW.interests) AS i;
        INSERT INTO discovery_pairs (region_key, interest_a, interest_b, user_id, boosted_until, gender, date_of_birth)
        SELECT DISTINCT lower(NEW.region), a, b, NEW.user_id, NEW.boosted_until, NEW.gender, NEW.date_of_birth
        FROM unnest(NEW.interests) AS a, unnest(NEW.interests) AS b
        WHERE a < b;
    END IF;
    RETURN NULL;
END
$$;

INSERT INTO discovery_pairs (region_key, interest_a, interest_b, user_id, boosted_until, gender, date_of_birth)
SELECT DISTINCT lower(p.region), a, b, p.user_id, p.boosted_until, p.gender, p.date_of_birth
FROM profiles p, unnest(p.interests) AS a, unnest(p.interests) AS b
WHERE a < b AND p.username IS NOT NULL AND p.deleted_at IS NULL AND p.region IS NOT NULL;

-- The planner needs the new table's statistics before its first query, not when autovacuum gets to it.
ANALYZE discovery_pairs;
