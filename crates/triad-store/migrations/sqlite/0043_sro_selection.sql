-- Selecting an SRO for a campus (seed 003 items 8–10): the post the agency opens, each
-- candidate (whether they volunteered; the decision), and each panel administrator's input.
CREATE TABLE sro_postings (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    campus_id TEXT NOT NULL REFERENCES campuses(id),
    title TEXT NOT NULL,
    opened_on TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE INDEX sro_postings_by_agency ON sro_postings (agency_id, opened_on);
CREATE INDEX sro_postings_by_campus ON sro_postings (campus_id);

CREATE TABLE sro_candidates (
    id TEXT PRIMARY KEY,
    posting_id TEXT NOT NULL REFERENCES sro_postings(id),
    person_id TEXT NOT NULL REFERENCES people(id),
    volunteered BOOLEAN NOT NULL,
    decision TEXT NOT NULL,
    decided_at BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (posting_id, person_id)
);

CREATE TABLE panel_inputs (
    candidate_id TEXT NOT NULL REFERENCES sro_candidates(id),
    admin_id TEXT NOT NULL,
    admin_name TEXT NOT NULL,
    recommendation TEXT NOT NULL,
    comments TEXT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (candidate_id, admin_id)
);
