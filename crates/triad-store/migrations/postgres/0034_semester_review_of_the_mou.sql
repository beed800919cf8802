-- A semester review is the SRO, the LE supervisor and the campus administrator reviewing the
-- MOU together: it names the version it reviewed and records who of the three attended.
ALTER TABLE meetings ADD COLUMN mou_version_id TEXT REFERENCES mou_versions(id);
ALTER TABLE meetings ADD COLUMN supervisor_present BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE meetings ADD COLUMN admin_present BOOLEAN NOT NULL DEFAULT FALSE;
