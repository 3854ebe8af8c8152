-- A course deleted while people are enrolled is withdrawn instead: out of the list, closed to new
-- learners, kept by those enrolled.
ALTER TABLE courses ADD COLUMN withdrawn_at timestamptz NULL;

-- The list shows courses not withdrawn only.
DROP INDEX courses_newest;
DROP INDEX courses_category;
CREATE INDEX courses_newest ON courses (created_at DESC, id DESC) WHERE withdrawn_at IS NULL;
CREATE INDEX courses_category ON courses (category, created_at DESC, id DESC) WHERE withdrawn_at IS NULL;

-- An edit may reorder modules: positions swap within one transaction, so uniqueness may be checked
-- at commit (the edit asks for that with SET CONSTRAINTS; other writes still check at once).
ALTER TABLE course_modules
    DROP CONSTRAINT course_modules_position,
    ADD CONSTRAINT course_modules_position UNIQUE (course_id, position) DEFERRABLE INITIALLY IMMEDIATE;
