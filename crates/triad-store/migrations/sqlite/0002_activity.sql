-- The activity log. Bucketing columns (school year, local date, week, month) are computed in
-- the district's time zone at write time so reports are plain indexed GROUP BYs.

CREATE TABLE activities (
    id TEXT PRIMARY KEY,
    author_id TEXT NOT NULL REFERENCES users(id),
    author_role TEXT NOT NULL,
    agency_id TEXT REFERENCES agencies(id),
    district_id TEXT NOT NULL REFERENCES districts(id),
    campus_id TEXT NOT NULL REFERENCES campuses(id),
    category TEXT NOT NULL,
    triad_role TEXT NOT NULL,
    record_class TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    minutes BIGINT NOT NULL,
    students BIGINT NOT NULL,
    parents BIGINT NOT NULL,
    staff BIGINT NOT NULL,
    notes TEXT,
    case_ref TEXT,
    search_basis TEXT,
    initiated_by TEXT REFERENCES users(id),
    school_year BIGINT NOT NULL,
    local_date TEXT NOT NULL,
    week_start TEXT NOT NULL,
    month TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX activities_by_author ON activities (author_id, started_at);
CREATE INDEX activities_by_campus ON activities (campus_id, month);
CREATE INDEX activities_by_district ON activities (district_id, school_year);

-- Per campus, author, month and category: what reports read, kept current at write time.
CREATE TABLE activity_summary (
    campus_id TEXT NOT NULL REFERENCES campuses(id),
    author_id TEXT NOT NULL REFERENCES users(id),
    district_id TEXT NOT NULL REFERENCES districts(id),
    agency_id TEXT,
    school_year BIGINT NOT NULL,
    month TEXT NOT NULL,
    category TEXT NOT NULL,
    triad_role TEXT NOT NULL,
    entries BIGINT NOT NULL,
    minutes BIGINT NOT NULL,
    students BIGINT NOT NULL,
    parents BIGINT NOT NULL,
    staff BIGINT NOT NULL,
    PRIMARY KEY (campus_id, author_id, month, category)
);
CREATE INDEX activity_summary_by_district ON activity_summary (district_id, school_year, month);

-- Earlier versions of corrected records, one table per record class.
CREATE TABLE history_shared (
    id TEXT PRIMARY KEY,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    data TEXT NOT NULL,
    replaced_at BIGINT NOT NULL,
    replaced_by TEXT
);
CREATE INDEX history_shared_by_record ON history_shared (record_type, record_id, replaced_at);

CREATE TABLE history_law_enforcement (
    id TEXT PRIMARY KEY,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    data TEXT NOT NULL,
    replaced_at BIGINT NOT NULL,
    replaced_by TEXT
);
CREATE INDEX history_law_enforcement_by_record ON history_law_enforcement (record_type, record_id, replaced_at);
