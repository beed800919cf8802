-- Collaboration surveys: campaigns (each with a frozen copy of its instrument), anonymous
-- responses and their answers (with the original text and any flags), one-time tokens kept
-- apart from the answers they unlock, and the themes coded in free-text answers.

CREATE TABLE survey_campaigns (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    district_id TEXT REFERENCES districts(id),
    campus_id TEXT REFERENCES campuses(id),
    instrument_key TEXT NOT NULL,
    -- The instrument as it was when the campaign began: later edits never reach its answers.
    instrument TEXT NOT NULL,
    audience TEXT NOT NULL,
    opens_on TEXT NOT NULL,
    closes_on TEXT NOT NULL,
    public_code TEXT NOT NULL UNIQUE,
    one_time_tokens BOOLEAN NOT NULL,
    -- Students or parents are asked: the district's notice is shown and they may opt out.
    notice TEXT,
    created_by TEXT REFERENCES users(id),
    created_at BIGINT NOT NULL
);

-- Never linked to the answers they unlocked: a token is only marked used.
CREATE TABLE survey_tokens (
    token_hash TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES survey_campaigns(id),
    used BOOLEAN NOT NULL
);

CREATE TABLE survey_responses (
    id TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES survey_campaigns(id),
    role TEXT NOT NULL,
    role_text TEXT,
    source TEXT NOT NULL,
    -- An imported row: the file's SHA-256 and the line, so a re-import adds nothing.
    import_key TEXT UNIQUE,
    original TEXT,
    section TEXT,
    -- The day only: no time, address or device is kept with an answer.
    answered_on TEXT NOT NULL
);
CREATE INDEX survey_responses_by_campaign ON survey_responses (campaign_id, role);

CREATE TABLE survey_answers (
    response_id TEXT NOT NULL REFERENCES survey_responses(id),
    campaign_id TEXT NOT NULL REFERENCES survey_campaigns(id),
    question_key TEXT NOT NULL,
    value_number REAL,
    value_bool BOOLEAN,
    value_text TEXT,
    original TEXT,
    flags TEXT,
    PRIMARY KEY (response_id, question_key)
);
CREATE INDEX survey_answers_by_question ON survey_answers (campaign_id, question_key);

CREATE TABLE survey_codings (
    response_id TEXT NOT NULL REFERENCES survey_responses(id),
    campaign_id TEXT NOT NULL REFERENCES survey_campaigns(id),
    question_key TEXT NOT NULL,
    theme TEXT NOT NULL,
    phrase TEXT,
    -- auto (a phrase matched), or a person's correction: added or removed.
    source TEXT NOT NULL,
    removed BOOLEAN NOT NULL,
    PRIMARY KEY (response_id, question_key, theme)
);
CREATE INDEX survey_codings_by_campaign ON survey_codings (campaign_id, theme);
