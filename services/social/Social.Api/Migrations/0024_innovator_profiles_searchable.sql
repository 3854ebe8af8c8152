-- A person's search document carries the public sections of their innovator profile too (skills, certifications,
-- awards, projects by name); a section shown to connections or nobody is never searchable. One function builds the
-- document, called from either table's trigger.
CREATE FUNCTION refresh_person_search_document(person uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    p user_profiles;
    innovator text;
BEGIN
    SELECT * INTO p FROM user_profiles WHERE user_id = person;
    IF NOT FOUND OR p.deleted_at IS NOT NULL OR p.username IS NULL THEN
        DELETE FROM search_documents WHERE kind = 'people' AND id = person;
        RETURN;
    END IF;
    SELECT nullif(concat_ws('. ',
        CASE WHEN i.skills_visibility = 'public'
            THEN 'Skills: ' || nullif(array_to_string(i.skills, ', '), '') END,
        CASE WHEN i.certifications_visibility = 'public' THEN 'Certifications: '
            || (SELECT nullif(string_agg(x->>'name', ', '), '') FROM jsonb_array_elements(i.certifications) x) END,
        CASE WHEN i.awards_visibility = 'public' THEN 'Awards: '
            || (SELECT nullif(string_agg(x->>'title', ', '), '') FROM jsonb_array_elements(i.awards) x) END,
        CASE WHEN i.projects_visibility = 'public' THEN 'Projects: '
            || (SELECT nullif(string_agg(x->>'name', ', '), '') FROM jsonb_array_elements(i.projects) x) END), '')
    INTO innovator FROM innovator_profiles i WHERE i.user_id = person;
    INSERT INTO search_documents AS d (kind, id, owner_id, title, body, is_public)
    VALUES ('people', p.user_id, p.user_id, coalesce(p.full_name, p.username),
        concat_ws('. ', p.bio, 'Interests: ' || nullif(array_to_string(p.interests, ', '), ''),
            nullif(concat_ws(', ', p.city, p.region, p.country), ''), innovator), true)
    ON CONFLICT (kind, id) DO UPDATE SET title = EXCLUDED.title, body = EXCLUDED.body, revision = d.revision + 1
    WHERE (d.title, d.body) IS DISTINCT FROM (EXCLUDED.title, EXCLUDED.body);
END
$$;

CREATE OR REPLACE FUNCTION search_document_of_profile() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_person_search_document(NEW.user_id);
    RETURN NULL;
END
$$;

CREATE FUNCTION search_document_of_innovator_profile() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_person_search_document(CASE WHEN TG_OP = 'DELETE' THEN OLD.user_id ELSE NEW.user_id END);
    RETURN NULL;
END
$$;

CREATE TRIGGER innovator_profiles_search_document
    AFTER INSERT OR UPDATE OR DELETE ON innovator_profiles
    FOR EACH ROW EXECUTE FUNCTION search_document_of_innovator_profile();

SELECT refresh_person_search_document(user_id) FROM innovator_profiles;
