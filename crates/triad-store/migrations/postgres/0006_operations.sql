-- Campus safety operations: controlled movement and lockdown events, each with its timeline.

CREATE TABLE campus_events (
    id TEXT PRIMARY KEY,
    district_id TEXT NOT NULL REFERENCES districts(id),
    campus_id TEXT NOT NULL REFERENCES campuses(id),
    status TEXT NOT NULL,
    swept BOOLEAN NOT NULL,
    started_at BIGINT NOT NULL,
    started_by TEXT NOT NULL REFERENCES users(id),
    ended_at BIGINT,
    ended_how TEXT,
    responsibility_accepted BOOLEAN NOT NULL,
    version BIGINT NOT NULL
);
-- One open event per campus: a second lockdown cannot slip in beside the first.
CREATE UNIQUE INDEX campus_events_one_open ON campus_events (campus_id) WHERE ended_at IS NULL;
CREATE INDEX campus_events_by_campus ON campus_events (campus_id, started_at);

CREATE TABLE campus_event_log (
    event_id TEXT NOT NULL REFERENCES campus_events(id),
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor_id TEXT NOT NULL REFERENCES users(id),
    action TEXT NOT NULL,
    status TEXT NOT NULL,
    detail TEXT,
    PRIMARY KEY (event_id, seq)
);
