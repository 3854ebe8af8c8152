-- Priority visibility: discovery scores a region's elite members one by one (they rank above their score's crowd),
-- found here without reading the region's other profiles.
CREATE INDEX user_profiles_elite_region ON user_profiles (lower(region))
    WHERE tier = 'elite' AND username IS NOT NULL AND deleted_at IS NULL;

-- Profile analyses a member asked for per UTC day, counted here so every instance enforces one tier limit.
CREATE TABLE profile_analysis_uses (
    user_id uuid    NOT NULL,
    day     date    NOT NULL,
    count   integer NOT NULL CHECK (count > 0),
    PRIMARY KEY (user_id, day)
);
