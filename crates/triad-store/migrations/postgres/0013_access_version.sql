-- Who holds a credential and what they may do is read on every request. Instances keep it
-- between requests and ask this one row whether anything it was read from has changed: every
-- change that matters moves the version, in the transaction that makes it, so a revoked
-- token or a disabled account is refused at the next request on every instance.
CREATE TABLE access_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO access_version (id, version) VALUES (1, 0);

CREATE FUNCTION access_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE access_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END
$$;

-- Not watched: new sessions, tokens and accounts (nothing kept can name them yet), and the
-- columns written as they are used (last_seen_at, last_used_at) or that identity does not
-- read (password hashes, TOTP secrets).
CREATE TRIGGER users_access AFTER UPDATE OF username, person_id, display_name, disabled,
    totp_enabled OR DELETE ON users FOR EACH STATEMENT EXECUTE FUNCTION access_changed();
CREATE TRIGGER sessions_access AFTER UPDATE OF user_id, created_at, csrf_secret,
    second_factor_done OR DELETE ON sessions FOR EACH STATEMENT EXECUTE FUNCTION access_changed();
CREATE TRIGGER api_tokens_access AFTER UPDATE OF user_id, token_hash, revoked_at OR DELETE
    ON api_tokens FOR EACH STATEMENT EXECUTE FUNCTION access_changed();
CREATE TRIGGER grants_access AFTER INSERT OR UPDATE OR DELETE ON grants
    FOR EACH STATEMENT EXECUTE FUNCTION access_changed();
CREATE TRIGGER people_access AFTER UPDATE OF sworn OR DELETE ON people
    FOR EACH STATEMENT EXECUTE FUNCTION access_changed();
CREATE TRIGGER assignments_access AFTER INSERT OR UPDATE OR DELETE ON assignments
    FOR EACH STATEMENT EXECUTE FUNCTION access_changed();
CREATE TRIGGER partnerships_access AFTER INSERT OR UPDATE OR DELETE ON partnerships
    FOR EACH STATEMENT EXECUTE FUNCTION access_changed();
CREATE TRIGGER campuses_access AFTER UPDATE OR DELETE ON campuses
    FOR EACH STATEMENT EXECUTE FUNCTION access_changed();
CREATE TRIGGER districts_access AFTER UPDATE OR DELETE ON districts
    FOR EACH STATEMENT EXECUTE FUNCTION access_changed();
