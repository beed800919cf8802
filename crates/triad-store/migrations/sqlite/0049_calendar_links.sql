-- A person's private calendar link: a secret address their calendar app reads their meetings,
-- action items due, drills and MOU reviews from, with no session. Only the secret's hash is
-- kept; a person has at most one live link, and making a new one stops the old.
CREATE TABLE calendar_links (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    secret_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_read_at BIGINT,
    stopped_at BIGINT
);
CREATE INDEX calendar_links_by_user ON calendar_links (user_id, stopped_at);
