-- A district's own practices, rated by people beside the instrument's 27. Numbered in the
-- order added and never rewritten: a practice the district no longer asks is retired (it stays
-- with the years it was rated in), and a changed one is added anew. `related` lists the
-- instrument's practices whose ratings bear on it ("1,8,10").
CREATE TABLE district_practices (
    id TEXT PRIMARY KEY,
    district_id TEXT NOT NULL REFERENCES districts(id),
    number BIGINT NOT NULL,
    short TEXT NOT NULL,
    practice TEXT NOT NULL,
    related TEXT NOT NULL,
    added_by TEXT NOT NULL REFERENCES users(id),
    added_at BIGINT NOT NULL,
    retired_at BIGINT,
    UNIQUE (district_id, number)
);
