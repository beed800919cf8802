-- An entry its author undid moments after logging it (a stray tap): kept, with who undid it
-- and when, and counted in no summary. The summary triggers now count only entries not undone.
ALTER TABLE activities ADD COLUMN voided_at INTEGER;
ALTER TABLE activities ADD COLUMN voided_by TEXT;

DROP TRIGGER activity_summary_on_insert;
CREATE TRIGGER activity_summary_on_insert AFTER INSERT ON activities
WHEN NEW.voided_at IS NULL
BEGIN
    INSERT INTO activity_summary_changes VALUES (NEW.campus_id, NEW.author_id, NEW.district_id,
        NEW.agency_id, NEW.school_year, NEW.month, NEW.category, NEW.triad_role, 1, NEW.minutes,
        NEW.students, NEW.parents, NEW.staff);
END;

DROP TRIGGER activity_summary_on_update;
CREATE TRIGGER activity_summary_on_update AFTER UPDATE ON activities
BEGIN
    INSERT INTO activity_summary_changes SELECT OLD.campus_id, OLD.author_id, OLD.district_id,
        OLD.agency_id, OLD.school_year, OLD.month, OLD.category, OLD.triad_role, -1, OLD.minutes,
        OLD.students, OLD.parents, OLD.staff
        WHERE OLD.voided_at IS NULL;
    INSERT INTO activity_summary_changes SELECT NEW.campus_id, NEW.author_id, NEW.district_id,
        NEW.agency_id, NEW.school_year, NEW.month, NEW.category, NEW.triad_role, 1, NEW.minutes,
        NEW.students, NEW.parents, NEW.staff
        WHERE NEW.voided_at IS NULL;
END;

DROP TRIGGER activity_summary_on_delete;
CREATE TRIGGER activity_summary_on_delete AFTER DELETE ON activities
WHEN OLD.voided_at IS NULL
BEGIN
    INSERT INTO activity_summary_changes VALUES (OLD.campus_id, OLD.author_id, OLD.district_id,
        OLD.agency_id, OLD.school_year, OLD.month, OLD.category, OLD.triad_role, -1, OLD.minutes,
        OLD.students, OLD.parents, OLD.staff);
END;
