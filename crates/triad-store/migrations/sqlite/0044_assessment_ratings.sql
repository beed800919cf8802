-- Ratings people give the practices of a program's assessment: a rating the records cannot
-- give, or one over the records' own (kept beside it in `computed`). Never updated: the newest
-- per item counts and the earlier ones stay as the item's history.
CREATE TABLE assessment_ratings (
    id TEXT PRIMARY KEY,
    partnership_id TEXT NOT NULL REFERENCES partnerships(id),
    school_year BIGINT NOT NULL,
    instrument TEXT NOT NULL,
    item BIGINT NOT NULL,
    rating TEXT NOT NULL,
    computed TEXT,
    note TEXT NOT NULL,
    rated_by TEXT NOT NULL,
    rated_by_name TEXT NOT NULL,
    rated_at BIGINT NOT NULL
);

CREATE INDEX assessment_ratings_by_program ON assessment_ratings (partnership_id, school_year, rated_at);
