-- SchemaMigratorTests: an ALTER TABLE that needs the table to itself, as a deploy's migration does. Every host of this
-- test assembly that applies its migrations runs it too, so it stands on its own there.
CREATE TABLE IF NOT EXISTS busy (id int PRIMARY KEY);
ALTER TABLE busy ADD COLUMN IF NOT EXISTS note text;
