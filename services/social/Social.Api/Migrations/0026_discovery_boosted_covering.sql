-- The boosted few of a range from their own index alone. With only the key, a prepared (generic) plan preferred the
-- covering primary key and read the whole range for them: 37 ms for Dubai Marina + fitness at 1,000,000 profiles.
DROP INDEX discovery_entries_boosted;
DROP INDEX discovery_regions_boosted;
CREATE INDEX discovery_entries_boosted ON discovery_entries (region_key, interest, boosted_until)
    INCLUDE (elite, user_id, interests, gender, date_of_birth) WHERE boosted_until IS NOT NULL;
CREATE INDEX discovery_regions_boosted ON discovery_regions (region_key, boosted_until)
    INCLUDE (elite, user_id, interests, gender, date_of_birth) WHERE boosted_until IS NOT NULL;
