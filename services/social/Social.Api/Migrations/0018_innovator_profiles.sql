-- Seed 004's innovator profiles: one row per member, each section with the visibility its owner chose.
CREATE TABLE innovator_profiles (
    user_id                   uuid        PRIMARY KEY,
    skills                    text[]      NOT NULL DEFAULT '{}',
    certifications            jsonb       NOT NULL DEFAULT '[]',
    awards                    jsonb       NOT NULL DEFAULT '[]',
    projects                  jsonb       NOT NULL DEFAULT '[]',
    skills_visibility         text        NOT NULL DEFAULT 'public',
    certifications_visibility text        NOT NULL DEFAULT 'public',
    awards_visibility         text        NOT NULL DEFAULT 'public',
    projects_visibility       text        NOT NULL DEFAULT 'public',
    updated_at                timestamptz NOT NULL,
    CHECK (skills_visibility IN ('public', 'connections', 'private')),
    CHECK (certifications_visibility IN ('public', 'connections', 'private')),
    CHECK (awards_visibility IN ('public', 'connections', 'private')),
    CHECK (projects_visibility IN ('public', 'connections', 'private')),
    CHECK (jsonb_typeof(certifications) = 'array' AND jsonb_typeof(awards) = 'array'
        AND jsonb_typeof(projects) = 'array')
);
