-- Meetings of the partnership, who attended, and the action items that came out of them.

CREATE TABLE meetings (
    id TEXT PRIMARY KEY,
    district_id TEXT NOT NULL REFERENCES districts(id),
    campus_id TEXT NOT NULL REFERENCES campuses(id),
    kind TEXT NOT NULL,
    held_on TEXT NOT NULL,
    school_year BIGINT NOT NULL,
    sro_present BOOLEAN NOT NULL,
    attendees TEXT,
    agenda TEXT,
    minutes TEXT,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX meetings_by_campus ON meetings (campus_id, school_year, held_on);

CREATE TABLE action_items (
    id TEXT PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES meetings(id),
    campus_id TEXT NOT NULL REFERENCES campuses(id),
    title TEXT NOT NULL,
    owner_id TEXT REFERENCES users(id),
    due_on TEXT,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX action_items_by_owner ON action_items (owner_id, status, due_on);
CREATE INDEX action_items_by_meeting ON action_items (meeting_id);
