-- Items of a campus's start-of-year checklist that no other record shows, marked done by its
-- SRO or administrator for one school year, with a note of what was planned or agreed.
CREATE TABLE start_of_year_marks (
    campus_id TEXT NOT NULL REFERENCES campuses(id),
    school_year BIGINT NOT NULL,
    item TEXT NOT NULL,
    note TEXT NOT NULL,
    marked_by TEXT NOT NULL,
    marked_by_name TEXT NOT NULL,
    marked_at BIGINT NOT NULL,
    PRIMARY KEY (campus_id, school_year, item)
);
