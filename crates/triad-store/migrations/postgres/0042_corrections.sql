-- Records that turned out wrong are corrected, never lost: a training record is voided by the
-- supervisor with a reason (and no longer counts), and says whether the officer entered it
-- themself; a community service that closed is retired from the directory.
ALTER TABLE training_records ADD COLUMN self_recorded BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE training_records ADD COLUMN voided_at BIGINT;
ALTER TABLE training_records ADD COLUMN voided_by TEXT;
ALTER TABLE training_records ADD COLUMN void_reason TEXT;
ALTER TABLE community_resources ADD COLUMN retired_at BIGINT;
ALTER TABLE community_resources ADD COLUMN retired_by TEXT;
