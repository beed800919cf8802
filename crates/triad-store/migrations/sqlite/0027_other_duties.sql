-- Meetings, training the officer attends and "other" serve no triad role: the balance no
-- longer counts them as emergency-manager or educator time, and the reports show them beside
-- it as other duties. Entries and both summaries are recomputed. The change moves no counts,
-- so the summary trigger is set aside while the entries are rewritten (at five school years
-- it would upsert twice per entry for nothing), then put back as migration 0026 made it.
DROP TRIGGER activity_summary_on_update;

UPDATE activities SET triad_role = 'other_duties'
WHERE category IN ('meeting', 'training', 'other') AND triad_role <> 'other_duties';
UPDATE activity_summary SET triad_role = 'other_duties'
WHERE category IN ('meeting', 'training', 'other');
UPDATE activity_summary_district SET triad_role = 'other_duties'
WHERE category IN ('meeting', 'training', 'other');

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

-- A campus comparison shows each campus's last entry: the latest of a campus, from an index.
CREATE INDEX activities_by_campus_latest ON activities (campus_id, started_at);
