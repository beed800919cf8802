-- Agency briefings an officer attended (seed 003 item 12), one row a day, recorded by the
-- officer or their supervisor.
CREATE TABLE briefings (
    person_id TEXT NOT NULL REFERENCES people(id),
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    held_on TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (person_id, held_on)
);
