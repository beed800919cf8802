-- A key is recorded with its request's first write, in the same commit; from this release on
-- it also names the record that write made or changed. A retry that finds the key without a
-- stored answer (the server stopped between the commit and storing the answer) is then told
-- the write was recorded and which record it was, instead of waiting for an answer that will
-- never come.
ALTER TABLE idempotency_keys ADD COLUMN record_type TEXT;
ALTER TABLE idempotency_keys ADD COLUMN record_id TEXT;
