-- PostgreSQL keeps a new version of a row for every update, and a transaction that updates
-- the same summary row again walks all the versions it made before. A shared write batch
-- logs many entries of the same campus, month and category, so on Triad's writer connection
-- the triggers only note what changed, and the batch adds it to the summaries once, just
-- before its commit (activity_summary_fold). Anywhere else (SQL run by hand) the triggers
-- still update the summaries at once.

-- A change to the summaries: what an entry adds (or takes away).
CREATE TYPE activity_summary_change AS (
    campus_id TEXT,
    author_id TEXT,
    district_id TEXT,
    agency_id TEXT,
    school_year BIGINT,
    month TEXT,
    category TEXT,
    triad_role TEXT,
    entries BIGINT,
    minutes BIGINT,
    students BIGINT,
    parents BIGINT,
    staff BIGINT
);

-- Adds changes to both summaries, grouped: one upsert per summary row however many changes.
CREATE FUNCTION activity_summary_add(changes activity_summary_change[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO activity_summary (campus_id, author_id, district_id, agency_id, school_year, month,
        category, triad_role, entries, minutes, students, parents, staff)
    SELECT campus_id, author_id, MAX(district_id), MAX(agency_id), MAX(school_year), month, category,
        MAX(triad_role), SUM(entries), SUM(minutes), SUM(students), SUM(parents), SUM(staff)
    FROM unnest(changes) GROUP BY campus_id, author_id, month, category
    ON CONFLICT (campus_id, author_id, month, category) DO UPDATE SET
        entries = activity_summary.entries + excluded.entries,
        minutes = activity_summary.minutes + excluded.minutes,
        students = activity_summary.students + excluded.students,
        parents = activity_summary.parents + excluded.parents,
        staff = activity_summary.staff + excluded.staff;
    INSERT INTO activity_summary_district (district_id, school_year, month, category, triad_role,
        entries, minutes, students, parents, staff)
    SELECT district_id, MAX(school_year), month, category, MAX(triad_role), SUM(entries),
        SUM(minutes), SUM(students), SUM(parents), SUM(staff)
    FROM unnest(changes) GROUP BY district_id, month, category
    ON CONFLICT (district_id, month, category) DO UPDATE SET
        entries = activity_summary_district.entries + excluded.entries,
        minutes = activity_summary_district.minutes + excluded.minutes,
        students = activity_summary_district.students + excluded.students,
        parents = activity_summary_district.parents + excluded.parents,
        staff = activity_summary_district.staff + excluded.staff;
END
$$;

-- Entries into (direction 1) or out of (direction -1) the summaries, as changes.
CREATE FUNCTION activity_summary_changes(changed activities[], direction BIGINT)
RETURNS activity_summary_change[]
LANGUAGE sql AS $$
    SELECT ARRAY(
        SELECT ROW(campus_id, author_id, district_id, agency_id, school_year, month, category,
            triad_role, direction * COUNT(*), direction * SUM(minutes), direction * SUM(students),
            direction * SUM(parents), direction * SUM(staff))::activity_summary_change
        FROM unnest(changed)
        GROUP BY campus_id, author_id, district_id, agency_id, school_year, month, category,
            triad_role)
$$;

-- On the writer connection (which sets triad.summaries_at_commit and holds the temporary
-- table activity_summary_pending), notes the changes; anywhere else, adds them.
CREATE FUNCTION activity_summary_note(changes activity_summary_change[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('triad.summaries_at_commit', true) = 'on' THEN
        INSERT INTO activity_summary_pending SELECT * FROM unnest(changes);
    ELSE
        PERFORM activity_summary_add(changes);
    END IF;
END
$$;

-- Corrections and deletions (the statement triggers of 0012 that stay): their changes, noted.
CREATE OR REPLACE FUNCTION activity_summary_keep() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM activity_summary_note(
        activity_summary_changes(ARRAY(SELECT r::activities FROM removed r), -1));
    IF TG_OP = 'UPDATE' THEN
        PERFORM activity_summary_note(
            activity_summary_changes(ARRAY(SELECT r::activities FROM added r), 1));
    END IF;
    RETURN NULL;
END
$$;

-- New entries, the writes that matter for speed: a row trigger. Noting one row costs a few
-- microseconds; a statement trigger's transition table cost about 80 more per statement.
CREATE FUNCTION activity_summary_keep_new() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM activity_summary_note(ARRAY[ROW(NEW.campus_id, NEW.author_id, NEW.district_id,
        NEW.agency_id, NEW.school_year, NEW.month, NEW.category, NEW.triad_role, 1, NEW.minutes,
        NEW.students, NEW.parents, NEW.staff)::activity_summary_change]);
    RETURN NULL;
END
$$;

DROP TRIGGER activity_summary_on_insert ON activities;
CREATE TRIGGER activity_summary_on_insert AFTER INSERT ON activities
    FOR EACH ROW EXECUTE FUNCTION activity_summary_keep_new();

DROP FUNCTION activity_summary_apply(activities[], BIGINT);

-- Run by every batch just before its commit. The noted changes are in a temporary table
-- emptied at every commit, so it never grows.
CREATE FUNCTION activity_summary_fold() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    taken activity_summary_change[];
BEGIN
    WITH d AS (DELETE FROM activity_summary_pending p RETURNING p.*)
    SELECT array_agg(ROW(d.*)::activity_summary_change) INTO taken FROM d;
    IF taken IS NOT NULL THEN
        PERFORM activity_summary_add(taken);
    END IF;
END
$$;
