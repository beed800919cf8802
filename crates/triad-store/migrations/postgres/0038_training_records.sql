-- Courses people took: what they count toward (the basic SRO course, yearly in-service,
-- other), hours in tenths, the day completed, whether an administrator attended with the SRO,
-- and the certificate as uploaded (its stored-file key, SHA-256 and type; served only as a
-- download).
CREATE TABLE training_records (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    title TEXT NOT NULL,
    provider TEXT NOT NULL,
    counts TEXT NOT NULL,
    tenths BIGINT NOT NULL,
    completed_on TEXT NOT NULL,
    joint BOOLEAN NOT NULL,
    certificate_key TEXT,
    certificate_sha256 TEXT,
    certificate_type TEXT,
    recorded_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE INDEX training_by_person ON training_records (person_id, completed_on);
CREATE INDEX training_by_agency ON training_records (agency_id, person_id);
