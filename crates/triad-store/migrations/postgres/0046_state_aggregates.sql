-- A state instance's view of districts that run their own instance. A sender is an instance
-- whose public key the state's administrator added; an import is the newest signed aggregate
-- of one district's school year from one sender (an older export of the same year is refused,
-- so a replayed file cannot roll the view back). `aggregate` keeps the signed text as it came.
CREATE TABLE aggregate_senders (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    public_key TEXT NOT NULL UNIQUE,
    fingerprint TEXT NOT NULL,
    added_by TEXT NOT NULL REFERENCES users(id),
    added_at BIGINT NOT NULL
);

CREATE TABLE aggregate_imports (
    id TEXT PRIMARY KEY,
    sender_id TEXT NOT NULL REFERENCES aggregate_senders(id),
    district TEXT NOT NULL,
    school_year BIGINT NOT NULL,
    exported_at TEXT NOT NULL,
    digest TEXT NOT NULL,
    aggregate TEXT NOT NULL,
    signature TEXT NOT NULL,
    imported_by TEXT NOT NULL REFERENCES users(id),
    imported_at BIGINT NOT NULL,
    UNIQUE (sender_id, district, school_year)
);
CREATE INDEX aggregate_imports_by_year ON aggregate_imports (school_year);
