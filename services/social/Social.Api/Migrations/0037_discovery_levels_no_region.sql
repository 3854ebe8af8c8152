-- Discovery with no region by levels too (issue 33: the People page's default scored every listed profile). Profiles
-- without a region join the three discovery tables under region_key '' (a region query never asks for '': a blank
-- region filter is no filter), and new indexes read each table across all regions in the levels' order.
-- No profile changes meanwhile: an instance still running writes through the old trigger function, and a profile without
-- a region changed between this function's replacement and the inserts below could be left with no rows or two sets.
LOCK TABLE user_profiles IN SHARE ROW EXCLUSIVE MODE;

CREATE OR REPLACE FUNCTION discovery_entries_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM discovery_entries WHERE user_id = OLD.user_id;
        DELETE FROM discovery_pairs WHERE user_id = OLD.user_id;
        DELETE FROM discovery_regions WHERE user_id = OLD.user_id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.username IS NOT NULL AND NEW.deleted_at IS NULL THEN
        INSERT INTO discovery_entries (region_key, interest, elite, user_id, boosted_until, interests, gender,
                                       date_of_birth)
        SELECT DISTINCT COALESCE(lower(NEW.region), ''), i, NEW.tier = 'elite', NEW.user_id, NEW.boosted_until,
               NEW.interests, NEW.gender, NEW.date_of_birth
        FROM unnest(NEW.interests) AS i;
        INSERT INTO discovery_pairs (region_key, interest_a, interest_b, elite, user_id, boosted_until, interests,
                                     gender, date_of_birth)
        SELECT DISTINCT COALESCE(lower(NEW.region), ''), a, b, NEW.tier = 'elite', NEW.user_id, NEW.boosted_until,
               NEW.interests, NEW.gender, NEW.date_of_birth
        FROM unnest(NEW.interests) AS a, unnest(NEW.interests) AS b
        WHERE a < b;
        INSERT INTO discovery_regions (region_key, elite, user_id, boosted_until, interests, gender, date_of_birth)
        VALUES (COALESCE(lower(NEW.region), ''), NEW.tier = 'elite', NEW.user_id, NEW.boosted_until, NEW.interests,
                NEW.gender, NEW.date_of_birth);
    END IF;
    RETURN NULL;
END
$$;

INSERT INTO discovery_entries (region_key, interest, elite, user_id, boosted_until, interests, gender, date_of_birth)
SELECT DISTINCT '', i, p.tier = 'elite', p.user_id, p.boosted_until, p.interests, p.gender, p.date_of_birth
FROM user_profiles p, unnest(p.interests) AS i
WHERE p.username IS NOT NULL AND p.deleted_at IS NULL AND p.region IS NULL;

INSERT INTO discovery_pairs (region_key, interest_a, interest_b, elite, user_id, boosted_until, interests, gender,
                             date_of_birth)
SELECT DISTINCT '', a, b, p.tier = 'elite', p.user_id, p.boosted_until, p.interests, p.gender, p.date_of_birth
FROM user_profiles p, unnest(p.interests) AS a, unnest(p.interests) AS b
WHERE a < b AND p.username IS NOT NULL AND p.deleted_at IS NULL AND p.region IS NULL;

INSERT INTO discovery_regions (region_key, elite, user_id, boosted_until, interests, gender, date_of_birth)
SELECT '', p.tier = 'elite', p.user_id, p.boosted_until, p.interests, p.gender, p.date_of_birth
FROM user_profiles p
WHERE p.username IS NOT NULL AND p.deleted_at IS NULL AND p.region IS NULL;

-- Every region's rows in the levels' order (elite, then id), covering what a level reads, so a range across regions is
-- index-only like a region's own: a heap page per row read would cost a sparse level (read whole) its time.
CREATE INDEX discovery_entries_levels ON discovery_entries (interest, elite, user_id)
    INCLUDE (region_key, boosted_until, interests, gender, date_of_birth);
CREATE INDEX discovery_pairs_levels ON discovery_pairs (interest_a, interest_b, elite, user_id)
    INCLUDE (region_key, boosted_until, interests, gender, date_of_birth);
CREATE INDEX discovery_regions_levels ON discovery_regions (elite, user_id)
    INCLUDE (region_key, boosted_until, interests, gender, date_of_birth);
-- The boosted few across regions, as migration 0026 reads a region's.
CREATE INDEX discovery_entries_boosted_all ON discovery_entries (interest, boosted_until)
    INCLUDE (region_key, elite, user_id, interests, gender, date_of_birth) WHERE boosted_until IS NOT NULL;
CREATE INDEX discovery_regions_boosted_all ON discovery_regions (boosted_until)
    INCLUDE (region_key, elite, user_id, interests, gender, date_of_birth) WHERE boosted_until IS NOT NULL;

ANALYZE discovery_entries;
ANALYZE discovery_pairs;
ANALYZE discovery_regions;
