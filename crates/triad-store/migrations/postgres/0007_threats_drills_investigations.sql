-- Threat response (a checklist on a campus event), the notices it sends to district leaders
-- and their acknowledgement, after-action follow-ups, drills, and the two investigations
-- that may run side by side on one incident.

-- What was reported, when the event is a response to a potential threat.
ALTER TABLE campus_events ADD COLUMN threat TEXT;
-- A district leader's live stream starts from the district's open events.
CREATE INDEX campus_events_by_district ON campus_events (district_id, ended_at);

CREATE TABLE campus_event_steps (
    event_id TEXT NOT NULL REFERENCES campus_events(id),
    step TEXT NOT NULL,
    done_at BIGINT NOT NULL,
    done_by TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (event_id, step)
);

-- A notice to one district leader; delivered by email and webhook from this outbox, so a
-- notice written is never lost to a mail server that is down, and tracked until acknowledged.
CREATE TABLE campus_event_notices (
    id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL REFERENCES campus_events(id),
    recipient_id TEXT NOT NULL REFERENCES users(id),
    email TEXT,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    email_sent_at BIGINT,
    webhook_sent_at BIGINT,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    acknowledged_at BIGINT
);
CREATE INDEX campus_event_notices_by_event ON campus_event_notices (event_id);
CREATE INDEX campus_event_notices_by_recipient ON campus_event_notices (recipient_id, acknowledged_at);

CREATE TABLE campus_event_follow_ups (
    id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL REFERENCES campus_events(id),
    title TEXT NOT NULL,
    owner_id TEXT REFERENCES users(id),
    due_on TEXT,
    done_at BIGINT,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX campus_event_follow_ups_by_event ON campus_event_follow_ups (event_id);

CREATE TABLE drills (
    id TEXT PRIMARY KEY,
    district_id TEXT NOT NULL REFERENCES districts(id),
    campus_id TEXT NOT NULL REFERENCES campuses(id),
    kind TEXT NOT NULL,
    scheduled_on TEXT NOT NULL,
    school_year BIGINT NOT NULL,
    held_at BIGINT,
    duration_minutes BIGINT,
    participants BIGINT,
    sro_took_part BOOLEAN,
    notes TEXT,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX drills_by_campus ON drills (campus_id, school_year);

-- One criminal (SRO lead) and one administrative (school lead) investigation per incident.
CREATE TABLE investigations (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    side TEXT NOT NULL,
    lead_id TEXT NOT NULL REFERENCES users(id),
    opened_at BIGINT NOT NULL,
    closed_at BIGINT,
    closing_note TEXT,
    UNIQUE (incident_id, side)
);

-- Notes of one side (read by that side only) and the coordination thread both sides read.
CREATE TABLE investigation_notes (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    thread TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    author_id TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX investigation_notes_by_incident ON investigation_notes (incident_id, thread, created_at);
