-- People and groups keep their search documents in the transaction that changes them, whichever feature writes:
-- the text changed means a new revision (stale until the worker embeds it); visibility and owner follow at once.
CREATE FUNCTION search_document_of_profile() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.deleted_at IS NOT NULL OR NEW.username IS NULL THEN
        DELETE FROM search_documents WHERE kind = 'people' AND id = NEW.user_id;
        RETURN NULL;
    END IF;
    INSERT INTO search_documents AS d (kind, id, owner_id, title, body, is_public)
    VALUES ('people', NEW.user_id, NEW.user_id, coalesce(NEW.full_name, NEW.username),
        concat_ws('. ', NEW.bio, 'Interests: ' || nullif(array_to_string(NEW.interests, ', '), ''),
            nullif(concat_ws(', ', NEW.city, NEW.region, NEW.country), '')), true)
    ON CONFLICT (kind, id) DO UPDATE SET title = EXCLUDED.title, body = EXCLUDED.body, revision = d.revision + 1
    WHERE (d.title, d.body) IS DISTINCT FROM (EXCLUDED.title, EXCLUDED.body);
    RETURN NULL;
END
$$;

CREATE TRIGGER user_profiles_search_document
    AFTER INSERT OR UPDATE OF username, full_name, bio, interests, city, region, country, deleted_at
    ON user_profiles FOR EACH ROW EXECUTE FUNCTION search_document_of_profile();

CREATE FUNCTION search_document_of_group() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM search_documents WHERE kind = 'groups' AND id = OLD.id;
        RETURN NULL;
    END IF;
    INSERT INTO search_documents AS d (kind, id, owner_id, title, body, is_public)
    VALUES ('groups', NEW.id, NEW.owner_id, NEW.name,
        concat_ws('. ', nullif(NEW.description, ''), NEW.category, NEW.interest,
            nullif(array_to_string(NEW.tags, ', '), ''), NEW.region), NEW.visibility = 'public')
    ON CONFLICT (kind, id) DO UPDATE SET owner_id = EXCLUDED.owner_id, is_public = EXCLUDED.is_public,
        title = EXCLUDED.title, body = EXCLUDED.body,
        revision = d.revision + CASE WHEN (d.title, d.body) IS DISTINCT FROM (EXCLUDED.title, EXCLUDED.body)
            THEN 1 ELSE 0 END;
    RETURN NULL;
END
$$;

CREATE TRIGGER groups_search_document
    AFTER INSERT OR DELETE OR UPDATE OF owner_id, name, description, category, interest, tags, region, visibility
    ON groups FOR EACH ROW EXECUTE FUNCTION search_document_of_group();

-- What exists already, stale: the worker embeds it once an endpoint is configured.
INSERT INTO search_documents (kind, id, owner_id, title, body, is_public)
SELECT 'people', p.user_id, p.user_id, coalesce(p.full_name, p.username),
    concat_ws('. ', p.bio, 'Interests: ' || nullif(array_to_string(p.interests, ', '), ''),
        nullif(concat_ws(', ', p.city, p.region, p.country), '')), true
FROM user_profiles p WHERE p.deleted_at IS NULL AND p.username IS NOT NULL;
INSERT INTO search_documents (kind, id, owner_id, title, body, is_public)
SELECT 'groups', g.id, g.owner_id, g.name,
    concat_ws('. ', nullif(g.description, ''), g.category, g.interest, nullif(array_to_string(g.tags, ', '), ''),
        g.region), g.visibility = 'public'
FROM groups g;
