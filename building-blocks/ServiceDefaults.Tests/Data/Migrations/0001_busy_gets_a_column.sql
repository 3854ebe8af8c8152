-- SchemaMigratorTests: an ALTER TABLE that needs the table to itself, as a deploy's migration does.
ALTER TABLE busy ADD COLUMN note text;
