-- Long work (a large import sent from the web) runs as a job: the request answers at once
-- with the job, which one instance at a time runs (it holds a lease it renews as it goes).
-- A job whose instance stopped is taken up again once its lease runs out; the work it does
-- is idempotent (an import's rows are known by their file and line), so running it again
-- finishes it and adds nothing twice.
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    actor_id TEXT NOT NULL REFERENCES users(id),
    -- The stored file the job reads, and what it was asked (JSON).
    input_key TEXT NOT NULL,
    options TEXT NOT NULL,
    state TEXT NOT NULL,
    done BIGINT NOT NULL DEFAULT 0,
    total BIGINT NOT NULL DEFAULT 0,
    -- The job's report (JSON) once it ended, or why it failed.
    report TEXT,
    error TEXT,
    attempts BIGINT NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until BIGINT,
    created_at BIGINT NOT NULL,
    started_at BIGINT,
    finished_at BIGINT
);
CREATE INDEX jobs_waiting ON jobs (state, created_at);
