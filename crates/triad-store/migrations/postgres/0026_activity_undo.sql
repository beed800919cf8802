-- An entry its author undid moments after logging it (a stray tap): kept, with who undid it
-- and when, and counted in no summary. The summary triggers now count only entries not undone.
ALTER TABLE activities ADD COLUMN voided_at BIGINT;
ALTER TABLE activities ADD COLUMN voided_by TEXT;

CREATE OR REPLACE FUNCTION activity_summary_changes(changed activities[], direction BIGINT)
RETURNS activity_summary_change[]
LANGUAGE sql AS $$
    SELECT ARRAY(
        SELECT ROW(campus_id, author_id, district_id, agency_id, school_year, month, category,
            triad_role, direction * COUNT(*), direction * SUM(minutes), direction * SUM(students),
            direction * SUM(parents), direction * SUM(staff))::activity_summary_change
        FROM unnest(changed)
        WHERE voided_at IS NULL
        GROUP BY campus_id, author_id, district_id, agency_id, school_year, month, category,
            triad_role)
$$;

CREATE OR REPLACE FUNCTION activity_summary_keep_new() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.voided_at IS NULL THEN
        PERFORM activity_summary_note(ARRAY[ROW(NEW.campus_id, NEW.author_id, NEW.district_id,
            NEW.agency_id, NEW.school_year, NEW.month, NEW.category, NEW.triad_role, 1,
            NEW.minutes, NEW.students, NEW.parents, NEW.staff)::activity_summary_change]);
    END IF;
    RETURN NULL;
END
$$;
