-- Replays keep what a retry needs (status, location, the record's id), never the answer: an
-- answer could carry a secret shown once (an API token, recovery codes, one-time survey
-- links) or record content its reader may no longer be allowed to see. Every answer stored
-- before this release is removed. Backups made before it still hold them: rotate API tokens
-- and recovery codes issued before the upgrade (docs/operations.md).
UPDATE idempotency_keys SET body = NULL;
