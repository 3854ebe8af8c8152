-- The service lower-cases a course's category itself (.NET's invariant casing). PostgreSQL's lower() follows the
-- database's locale and differs on a few letters (U+0130, a capital I with a dot, stays as it is in .NET and becomes
-- "i" under C.UTF-8), so comparing the two refused such a category with a database error. Its length stays checked.
ALTER TABLE courses DROP CONSTRAINT courses_category_check;
ALTER TABLE courses ADD CONSTRAINT courses_category_length CHECK (length(category) BETWEEN 1 AND 50);
