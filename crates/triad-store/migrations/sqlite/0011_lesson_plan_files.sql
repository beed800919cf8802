-- Lesson-plan files kept with classroom presentations. Every file sent is kept: the newest
-- is the entry's lesson plan, the earlier ones are its history.
CREATE TABLE activity_lesson_plans (
    id TEXT PRIMARY KEY,
    activity_id TEXT NOT NULL REFERENCES activities(id),
    file_key TEXT NOT NULL,
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_by TEXT NOT NULL REFERENCES users(id),
    uploaded_at INTEGER NOT NULL
);
CREATE INDEX activity_lesson_plans_by_activity ON activity_lesson_plans (activity_id, uploaded_at);
