-- An SRO's evaluation for a school year by the agency's supervisor (ratings per criterion as
-- JSON), the input of each administrator of the officer's campuses alongside it, and the
-- facts of the post on each campus: the uniform worn and the office space given.
CREATE TABLE sro_evaluations (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    school_year BIGINT NOT NULL,
    ratings TEXT NOT NULL,
    comments TEXT,
    written_by TEXT NOT NULL,
    written_by_name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (person_id, school_year)
);

CREATE TABLE evaluation_inputs (
    evaluation_id TEXT NOT NULL REFERENCES sro_evaluations(id),
    admin_id TEXT NOT NULL,
    admin_name TEXT NOT NULL,
    campus_id TEXT NOT NULL REFERENCES campuses(id),
    ratings TEXT NOT NULL,
    comments TEXT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (evaluation_id, admin_id)
);

CREATE TABLE campus_post (
    campus_id TEXT PRIMARY KEY REFERENCES campuses(id),
    uniform TEXT NOT NULL,
    office TEXT NOT NULL,
    notes TEXT,
    updated_by_name TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
