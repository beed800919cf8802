-- Foundation: the organisation, accounts, sessions and the audit trail.
-- Ids are UUIDv7 text; instants are integer milliseconds since the epoch in UTC; calendar
-- dates are YYYY-MM-DD text. The PostgreSQL migration of the same name mirrors this one.

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE agencies (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE districts (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    year_start TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE district_terms (
    id TEXT PRIMARY KEY,
    district_id TEXT NOT NULL REFERENCES districts(id),
    school_year BIGINT NOT NULL,
    name TEXT NOT NULL,
    first_day TEXT NOT NULL,
    last_day TEXT NOT NULL
);
CREATE INDEX district_terms_by_year ON district_terms (district_id, school_year, first_day);

CREATE TABLE non_school_days (
    id TEXT PRIMARY KEY,
    district_id TEXT NOT NULL REFERENCES districts(id),
    day TEXT NOT NULL,
    school_year BIGINT NOT NULL,
    label TEXT NOT NULL,
    UNIQUE (district_id, day)
);

CREATE TABLE campuses (
    id TEXT PRIMARY KEY,
    district_id TEXT NOT NULL REFERENCES districts(id),
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX campuses_by_district ON campuses (district_id, name);

CREATE TABLE partnerships (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    district_id TEXT NOT NULL REFERENCES districts(id),
    started_on TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (agency_id, district_id)
);

CREATE TABLE people (
    id TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    email TEXT,
    agency_id TEXT REFERENCES agencies(id),
    district_id TEXT REFERENCES districts(id),
    sworn BOOLEAN NOT NULL DEFAULT FALSE,
    le_experience_start TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX people_by_agency ON people (agency_id);
CREATE INDEX people_by_district ON people (district_id);

CREATE TABLE assignments (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    district_id TEXT NOT NULL REFERENCES districts(id),
    campus_id TEXT NOT NULL REFERENCES campuses(id),
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX assignments_by_person ON assignments (person_id, starts_on);
CREATE INDEX assignments_by_campus ON assignments (campus_id, starts_on);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    person_id TEXT REFERENCES people(id),
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    totp_secret TEXT,
    totp_enabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL
);

CREATE TABLE grants (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    scope_key TEXT NOT NULL,
    agency_id TEXT REFERENCES agencies(id),
    district_id TEXT REFERENCES districts(id),
    campus_id TEXT REFERENCES campuses(id),
    created_at BIGINT NOT NULL,
    UNIQUE (user_id, role, scope_key)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    csrf_secret TEXT NOT NULL,
    second_factor_done BOOLEAN NOT NULL DEFAULT FALSE,
    source TEXT
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);

CREATE TABLE recovery_codes (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    code_hash TEXT NOT NULL,
    used_at BIGINT
);
CREATE INDEX recovery_codes_by_user ON recovery_codes (user_id);

CREATE TABLE login_failures (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    user_id TEXT REFERENCES users(id),
    source TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_by_user ON login_failures (user_id, at);
CREATE INDEX login_failures_by_source ON login_failures (source, at);

CREATE TABLE account_locks (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    source TEXT,
    locked_at BIGINT NOT NULL,
    locked_until BIGINT NOT NULL,
    cleared_at BIGINT,
    cleared_by TEXT REFERENCES users(id)
);
CREATE INDEX account_locks_by_user ON account_locks (user_id, locked_until);

CREATE TABLE idempotency_keys (
    actor_key TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status BIGINT,
    location TEXT,
    body TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (actor_key, key)
);

-- Earlier versions of corrected directory records (agencies, districts, campuses, people,
-- assignments). Other record classes get history tables of their own with their capability.
CREATE TABLE history_directory (
    id TEXT PRIMARY KEY,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    data TEXT NOT NULL,
    replaced_at BIGINT NOT NULL,
    replaced_by TEXT
);
CREATE INDEX history_directory_by_record ON history_directory (record_type, record_id, replaced_at);

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    at BIGINT NOT NULL,
    actor_id TEXT,
    action TEXT NOT NULL,
    record_type TEXT,
    record_id TEXT,
    outcome TEXT NOT NULL,
    source TEXT,
    content_hash TEXT,
    district_id TEXT,
    agency_id TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_by_time ON audit_log (at);
CREATE INDEX audit_log_by_district ON audit_log (district_id, at);
CREATE INDEX audit_log_by_actor ON audit_log (actor_id, at);

-- The newest link of the chain. Appending locks this row, which orders appends from every
-- connection and every server instance.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- TRUNCATE bypasses row triggers: refuse it too.
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
