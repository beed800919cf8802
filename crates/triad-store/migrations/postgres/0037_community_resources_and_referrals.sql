-- A district's community resource directory, and the referrals its SROs make to each service.
-- A referral holds a day, a count of people and at most a case reference: no name of anyone.
CREATE TABLE community_resources (
    id TEXT PRIMARY KEY,
    district_id TEXT NOT NULL REFERENCES districts(id),
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    contact TEXT NOT NULL,
    hours TEXT,
    languages TEXT,
    eligibility TEXT,
    verified_on TEXT NOT NULL,
    verified_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX community_resources_by_district ON community_resources (district_id, category, name);

CREATE TABLE referrals (
    id TEXT PRIMARY KEY,
    resource_id TEXT NOT NULL REFERENCES community_resources(id),
    district_id TEXT NOT NULL REFERENCES districts(id),
    campus_id TEXT NOT NULL REFERENCES campuses(id),
    author_id TEXT NOT NULL,
    referred_on TEXT NOT NULL,
    people BIGINT NOT NULL,
    case_reference TEXT,
    created_at BIGINT NOT NULL
);

CREATE INDEX referrals_by_district ON referrals (district_id, referred_on);
CREATE INDEX referrals_by_author ON referrals (author_id, referred_on);
