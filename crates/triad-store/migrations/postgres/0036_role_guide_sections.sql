-- A district's own text for a section of the role guide; a section with no row here reads
-- as the project's default text (triad_domain::role_guide).
CREATE TABLE role_guide_sections (
    district_id TEXT NOT NULL REFERENCES districts(id),
    code TEXT NOT NULL,
    text TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_by_name TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (district_id, code)
);
