-- Grants that pay for a partnership's SRO positions or programs for a limited time, and the
-- plan for carrying the cost once each ends (due a year before the end). Amounts in cents;
-- dates as YYYY-MM-DD.
CREATE TABLE funding_grants (
    id TEXT PRIMARY KEY,
    partnership_id TEXT NOT NULL REFERENCES partnerships(id),
    covers TEXT NOT NULL,
    funder TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    plan TEXT,
    plan_by TEXT,
    plan_at BIGINT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE INDEX funding_grants_by_partnership ON funding_grants (partnership_id, ends_on);
