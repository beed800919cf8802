-- Requests to choose a new password by email. Every request is kept for an hour's limits (per
-- email address, per account, per network address), whether or not an account uses the
-- address; a request that found an account holds the hash of the secret its link carries,
-- good for 30 minutes and once.
CREATE TABLE password_resets (
    id TEXT PRIMARY KEY,
    address_hash TEXT NOT NULL,
    user_id TEXT REFERENCES users(id),
    secret_hash TEXT UNIQUE,
    source TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX password_resets_by_address ON password_resets (address_hash, requested_at);
CREATE INDEX password_resets_by_user ON password_resets (user_id, requested_at);
CREATE INDEX password_resets_by_source ON password_resets (source, requested_at);
