-- Incidents of service, evidence with its chain of custody, campus bans, visitor sign-in,
-- the FERPA disclosure log and in-app notifications.

CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    district_id TEXT NOT NULL REFERENCES districts(id),
    campus_id TEXT NOT NULL REFERENCES campuses(id),
    -- The agency serving the campus: its sworn side owns the law-enforcement details.
    agency_id TEXT REFERENCES agencies(id),
    kind TEXT NOT NULL,
    classification TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    location TEXT NOT NULL,
    reported_by TEXT,
    narrative TEXT NOT NULL,
    provenance TEXT NOT NULL,
    school_year BIGINT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX incidents_by_campus ON incidents (campus_id, occurred_at);

CREATE TABLE incident_people (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    position BIGINT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT,
    description TEXT
);
CREATE INDEX incident_people_by_incident ON incident_people (incident_id, position);

CREATE TABLE incident_follow_ups (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    title TEXT NOT NULL,
    assignee_id TEXT NOT NULL REFERENCES users(id),
    due_on TEXT,
    status TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX incident_follow_ups_by_incident ON incident_follow_ups (incident_id);

-- Law-enforcement records: investigation notes, arrests, use-of-force reports.
CREATE TABLE incident_le_details (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    content TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX incident_le_details_by_incident ON incident_le_details (incident_id);

CREATE TABLE evidence_items (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    district_id TEXT NOT NULL REFERENCES districts(id),
    campus_id TEXT NOT NULL REFERENCES campuses(id),
    agency_id TEXT REFERENCES agencies(id),
    description TEXT NOT NULL,
    quantity TEXT NOT NULL,
    condition TEXT NOT NULL,
    found_location TEXT NOT NULL,
    found_at BIGINT NOT NULL,
    found_by TEXT NOT NULL,
    provenance TEXT NOT NULL,
    status TEXT NOT NULL,
    holder_id TEXT NOT NULL REFERENCES users(id),
    storage_location TEXT,
    went_to_law_enforcement BOOLEAN NOT NULL,
    pending_receiver_id TEXT REFERENCES users(id),
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX evidence_items_by_incident ON evidence_items (incident_id);
CREATE INDEX evidence_items_by_campus ON evidence_items (campus_id, status);

CREATE TABLE evidence_photos (
    id TEXT PRIMARY KEY,
    item_id TEXT NOT NULL REFERENCES evidence_items(id),
    sha256 TEXT NOT NULL,
    media_type TEXT NOT NULL,
    original_key TEXT NOT NULL,
    view_key TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    taken_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX evidence_photos_by_item ON evidence_photos (item_id);

-- Each item's custody history: a hash chain, every record signed with the instance key.
CREATE TABLE custody_records (
    item_id TEXT NOT NULL REFERENCES evidence_items(id),
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    data TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    signature TEXT NOT NULL,
    PRIMARY KEY (item_id, seq)
);

CREATE TABLE bans (
    id TEXT PRIMARY KEY,
    district_id TEXT NOT NULL REFERENCES districts(id),
    campus_id TEXT NOT NULL REFERENCES campuses(id),
    scope TEXT NOT NULL,
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    given_key TEXT NOT NULL,
    family_key TEXT NOT NULL,
    birth_date TEXT,
    description TEXT,
    photo_key TEXT,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    reason TEXT NOT NULL,
    served_by TEXT NOT NULL,
    served_at BIGINT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX bans_by_district ON bans (district_id, ends_on);
CREATE INDEX bans_by_birth_date ON bans (birth_date, ends_on);
CREATE INDEX bans_by_family_key ON bans (family_key, ends_on);
CREATE INDEX bans_by_given_key ON bans (given_key, ends_on);

CREATE TABLE visitors (
    id TEXT PRIMARY KEY,
    district_id TEXT NOT NULL REFERENCES districts(id),
    campus_id TEXT NOT NULL REFERENCES campuses(id),
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    id_type TEXT NOT NULL,
    id_last_four TEXT NOT NULL,
    purpose TEXT NOT NULL,
    host TEXT NOT NULL,
    badge TEXT,
    escort TEXT,
    time_in BIGINT NOT NULL,
    time_out BIGINT,
    incident_id TEXT REFERENCES incidents(id),
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX visitors_by_campus ON visitors (campus_id, time_in);
CREATE INDEX visitors_by_time ON visitors (time_in);

CREATE TABLE ban_matches (
    id TEXT PRIMARY KEY,
    visitor_id TEXT NOT NULL REFERENCES visitors(id),
    ban_id TEXT NOT NULL REFERENCES bans(id),
    reasons TEXT NOT NULL,
    strength BIGINT NOT NULL,
    decision TEXT NOT NULL,
    decided_by TEXT REFERENCES users(id),
    decided_at BIGINT,
    UNIQUE (visitor_id, ban_id)
);
CREATE INDEX ban_matches_by_ban ON ban_matches (ban_id);

-- FERPA: each time a school record about a student is shown to law enforcement.
CREATE TABLE disclosures (
    id TEXT PRIMARY KEY,
    district_id TEXT NOT NULL REFERENCES districts(id),
    campus_id TEXT NOT NULL REFERENCES campuses(id),
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    disclosed_to TEXT NOT NULL REFERENCES users(id),
    purpose TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX disclosures_by_campus ON disclosures (campus_id, at);

CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    campus_id TEXT REFERENCES campuses(id),
    message TEXT NOT NULL,
    link TEXT,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX notifications_by_user ON notifications (user_id, read_at, created_at);

-- Custody records are never changed or removed: history only grows.
CREATE FUNCTION custody_records_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'custody records are append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER custody_records_no_update BEFORE UPDATE OR DELETE ON custody_records
    FOR EACH ROW EXECUTE FUNCTION custody_records_append_only();

CREATE TRIGGER custody_records_no_truncate BEFORE TRUNCATE ON custody_records
    FOR EACH STATEMENT EXECUTE FUNCTION custody_records_append_only();
