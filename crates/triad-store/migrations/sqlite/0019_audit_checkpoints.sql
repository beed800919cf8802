-- Signed checkpoints of the audit chain written by the server (the notes themselves go to the
-- data folder and wherever the operator sends them; this table only makes sure that one
-- instance writes a given checkpoint).
CREATE TABLE audit_checkpoints (
    size BIGINT PRIMARY KEY,
    written_at BIGINT NOT NULL
);
