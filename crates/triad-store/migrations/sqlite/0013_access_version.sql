-- Who holds a credential and what they may do is read on every request. Instances keep it
-- between requests and ask this one row whether anything it was read from has changed: every
-- change that matters moves the version, in the transaction that makes it, so a revoked
-- token or a disabled account is refused at the next request on every instance.
CREATE TABLE access_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO access_version (id, version) VALUES (1, 0);

-- Not watched: new sessions, tokens and accounts (nothing kept can name them yet), and the
-- columns written as they are used (last_seen_at, last_used_at) or that identity does not
-- read (password hashes, TOTP secrets).
CREATE TRIGGER users_access_update AFTER UPDATE OF username, person_id, display_name, disabled, totp_enabled ON users
BEGIN UPDATE access_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER users_access_delete AFTER DELETE ON users
BEGIN UPDATE access_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER sessions_access_update AFTER UPDATE OF user_id, created_at, csrf_secret, second_factor_done ON sessions
BEGIN UPDATE access_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER sessions_access_delete AFTER DELETE ON sessions
BEGIN UPDATE access_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER api_tokens_access_update AFTER UPDATE OF user_id, token_hash, revoked_at ON api_tokens
BEGIN UPDATE access_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER api_tokens_access_delete AFTER DELETE ON api_tokens
BEGIN UPDATE access_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER grants_access_insert AFTER INSERT ON grants
BEGIN UPDATE access_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER grants_access_update AFTER UPDATE ON grants
BEGIN UPDATE access_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER grants_access_delete AFTER DELETE ON grants
BEGIN UPDATE access_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER people_access_update AFTER UPDATE OF sworn ON people
BEGIN UPDATE access_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER people_access_delete AFTER DELETE ON people
BEGIN UPDATE access_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER assignments_access_insert AFTER INSERT ON assignments
BEGIN UPDATE access_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER assignments_access_update AFTER UPDATE ON assignments
BEGIN UPDATE access_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER assignments_access_delete AFTER DELETE ON assignments
BEGIN UPDATE access_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER partnerships_access_insert AFTER INSERT ON partnerships
BEGIN UPDATE access_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER partnerships_access_update AFTER UPDATE ON partnerships
BEGIN UPDATE access_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER partnerships_access_delete AFTER DELETE ON partnerships
BEGIN UPDATE access_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER campuses_access_update AFTER UPDATE ON campuses
BEGIN UPDATE access_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER campuses_access_delete AFTER DELETE ON campuses
BEGIN UPDATE access_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER districts_access_update AFTER UPDATE ON districts
BEGIN UPDATE access_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER districts_access_delete AFTER DELETE ON districts
BEGIN UPDATE access_version SET version = version + 1 WHERE id = 1; END;
