-- Per district, month and category: what the district-wide report reads, so a semester report
-- sums a few hundred rows rather than every campus and officer's.
CREATE TABLE activity_summary_district (
    district_id TEXT NOT NULL REFERENCES districts(id),
    school_year BIGINT NOT NULL,
    month TEXT NOT NULL,
    category TEXT NOT NULL,
    triad_role TEXT NOT NULL,
    entries BIGINT NOT NULL,
    minutes BIGINT NOT NULL,
    students BIGINT NOT NULL,
    parents BIGINT NOT NULL,
    staff BIGINT NOT NULL,
    PRIMARY KEY (district_id, month, category)
);
