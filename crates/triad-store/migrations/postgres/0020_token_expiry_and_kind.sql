-- Personal access tokens may end on a date and may be read-only (a reporting tool that only
-- reads). Tokens made before have neither: they last until revoked and may write.
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
ALTER TABLE api_tokens ADD COLUMN read_only BOOLEAN NOT NULL DEFAULT FALSE;
