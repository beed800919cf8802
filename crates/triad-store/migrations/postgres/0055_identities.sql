-- Sign-in through an identity provider (OpenID Connect). An identity is the provider's
-- subject at its issuer, linked to one account; never found by email address.
CREATE TABLE identities (
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id),
    -- The configured provider it came through (its key), and the address it gave when linked:
    -- shown on the account pages, never used to find the account.
    provider TEXT NOT NULL,
    email TEXT,
    -- The provider said it verified that address (a district leader's move relies on it).
    email_verified BOOLEAN NOT NULL DEFAULT FALSE,
    linked_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX identities_by_user ON identities (user_id);

-- A sign-in sent to a provider and not back yet. Found by the hash of its `state`, taken once,
-- and only by the browser that left (the hash of a cookie it was given). With the nonce and the
-- PKCE verifier it was sent with, the address it was asked from (a limit per address), and,
-- when a signed-in person links their account, the hash of the session that asked: the link
-- is made only while that session is still signed in.
CREATE TABLE identity_sign_ins (
    state_hash TEXT PRIMARY KEY,
    browser_hash TEXT NOT NULL,
    provider TEXT NOT NULL,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    next_path TEXT NOT NULL,
    link_session_hash TEXT,
    source TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX identity_sign_ins_by_age ON identity_sign_ins (created_at);
CREATE INDEX identity_sign_ins_by_source ON identity_sign_ins (source, created_at);

-- A session whose provider said the person gave a second factor (RFC 8176 `amr`): it counts
-- as Triad's own second factor where the instance requires one.
ALTER TABLE sessions ADD COLUMN second_factor_by_provider BOOLEAN NOT NULL DEFAULT FALSE;
