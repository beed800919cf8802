-- A partnership's memorandum of understanding, in versions made of typed clauses. A version is
-- signed when a signatory of each side has signed its current content (signed_at is then set,
-- and the version never changes again); a signature is bound to the content hash it was given
-- over, so a draft changed after one side signed leaves that signature standing over a text
-- the version no longer says.
CREATE TABLE mou_versions (
    id TEXT PRIMARY KEY,
    partnership_id TEXT NOT NULL REFERENCES partnerships(id),
    number BIGINT NOT NULL,
    based_on TEXT REFERENCES mou_versions(id),
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    signed_at BIGINT,
    UNIQUE (partnership_id, number)
);

CREATE TABLE mou_clauses (
    version_id TEXT NOT NULL REFERENCES mou_versions(id),
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (version_id, kind)
);

CREATE TABLE mou_signatures (
    version_id TEXT NOT NULL REFERENCES mou_versions(id),
    side TEXT NOT NULL,
    signer_id TEXT NOT NULL,
    signer_name TEXT NOT NULL,
    signed_at BIGINT NOT NULL,
    content_hash TEXT NOT NULL,
    acknowledged_missing BOOLEAN NOT NULL,
    PRIMARY KEY (version_id, side, content_hash)
);

-- Who signs for each side: a supervisor of the agency, a leader of the district, designated
-- by their own side.
CREATE TABLE mou_signatories (
    partnership_id TEXT NOT NULL REFERENCES partnerships(id),
    side TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id),
    designated_by TEXT NOT NULL,
    designated_at BIGINT NOT NULL,
    PRIMARY KEY (partnership_id, side)
);
