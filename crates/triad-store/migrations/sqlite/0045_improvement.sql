-- The improvement cycle. A finding is a proposal a person decided on: accepted (as written or
-- edited) or dismissed; one per proposal of a program's school year, so a dismissed proposal
-- is not proposed again. `measure` keeps the figure that made it (a gap, a share) for telling
-- later whether it moved.
CREATE TABLE improvement_findings (
    id TEXT PRIMARY KEY,
    partnership_id TEXT NOT NULL REFERENCES partnerships(id),
    school_year BIGINT NOT NULL,
    source TEXT NOT NULL,
    status TEXT NOT NULL,
    title TEXT NOT NULL,
    detail TEXT NOT NULL,
    measure REAL,
    decided_by TEXT NOT NULL,
    decided_by_name TEXT NOT NULL,
    decided_at BIGINT NOT NULL,
    UNIQUE (partnership_id, school_year, source)
);

-- A program's plan: goals (answering findings), their objectives, and the action steps under
-- those, each step with an owner, a due day and where it stands.
CREATE TABLE improvement_plan (
    id TEXT PRIMARY KEY,
    partnership_id TEXT NOT NULL REFERENCES partnerships(id),
    level TEXT NOT NULL,
    parent_id TEXT REFERENCES improvement_plan(id),
    title TEXT NOT NULL,
    owner_id TEXT REFERENCES users(id),
    due_on TEXT,
    status TEXT NOT NULL,
    note TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_by_name TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX improvement_plan_by_program ON improvement_plan (partnership_id, created_at);
CREATE INDEX improvement_plan_by_owner ON improvement_plan (owner_id, status);

CREATE TABLE improvement_plan_findings (
    plan_id TEXT NOT NULL REFERENCES improvement_plan(id),
    finding_id TEXT NOT NULL REFERENCES improvement_findings(id),
    PRIMARY KEY (plan_id, finding_id)
);
