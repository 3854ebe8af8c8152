-- The client address of the refresh retry that used a token up unused: its holder sending it later from there is that
-- client's own stale answer (a 401, the sign-in goes on); from anywhere else it is a reuse. Null on every other row.
ALTER TABLE refresh_tokens ADD COLUMN replaced_from text;
