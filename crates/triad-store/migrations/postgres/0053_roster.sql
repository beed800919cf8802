-- A district's roster (OneRoster) laid over Triad: which campus each of its schools is,
-- which account each of its people is, and which roles the roster gave, so a later import
-- ends only those (a role given by hand is never the roster's to end).
CREATE TABLE roster_schools (
    district_id TEXT NOT NULL REFERENCES districts(id),
    source_id TEXT NOT NULL,
    campus_id TEXT NOT NULL REFERENCES campuses(id),
    PRIMARY KEY (district_id, source_id)
);

CREATE TABLE roster_people (
    district_id TEXT NOT NULL REFERENCES districts(id),
    source_id TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id),
    -- When the roster disabled the account (the person left it); NULL while they are on it.
    -- Only an account the roster disabled is enabled again when the person comes back.
    removed_at BIGINT,
    PRIMARY KEY (district_id, source_id)
);
CREATE UNIQUE INDEX roster_people_by_user ON roster_people (user_id);

ALTER TABLE grants ADD COLUMN given_by_roster BOOLEAN NOT NULL DEFAULT FALSE;
