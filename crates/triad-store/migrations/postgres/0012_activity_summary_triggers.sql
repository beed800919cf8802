-- The monthly summaries are kept by the database, in the statement that changes the entries.
-- A write is then one round trip instead of three, and no path that writes entries (logging,
-- correcting, importing, bulk loads) can forget the summaries.

-- Counts entries into (direction 1) or out of (direction -1) both summaries, grouped, so a
-- bulk insert of thousands of entries is two upserts, not two per entry.
CREATE FUNCTION activity_summary_apply(changed activities[], direction BIGINT) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO activity_summary (campus_id, author_id, district_id, agency_id, school_year, month,
        category, triad_role, entries, minutes, students, parents, staff)
    SELECT campus_id, author_id, MAX(district_id), MAX(agency_id), MAX(school_year), month, category,
        MAX(triad_role), direction * COUNT(*), direction * SUM(minutes), direction * SUM(students),
        direction * SUM(parents), direction * SUM(staff)
    FROM unnest(changed) GROUP BY campus_id, author_id, month, category
    ON CONFLICT (campus_id, author_id, month, category) DO UPDATE SET
        entries = activity_summary.entries + excluded.entries,
        minutes = activity_summary.minutes + excluded.minutes,
        students = activity_summary.students + excluded.students,
        parents = activity_summary.parents + excluded.parents,
        staff = activity_summary.staff + excluded.staff;
    INSERT INTO activity_summary_district (district_id, school_year, month, category, triad_role,
        entries, minutes, students, parents, staff)
    SELECT district_id, MAX(school_year), month, category, MAX(triad_role), direction * COUNT(*),
        direction * SUM(minutes), direction * SUM(students), direction * SUM(parents),
        direction * SUM(staff)
    FROM unnest(changed) GROUP BY district_id, month, category
    ON CONFLICT (district_id, month, category) DO UPDATE SET
        entries = activity_summary_district.entries + excluded.entries,
        minutes = activity_summary_district.minutes + excluded.minutes,
        students = activity_summary_district.students + excluded.students,
        parents = activity_summary_district.parents + excluded.parents,
        staff = activity_summary_district.staff + excluded.staff;
END
$$;

-- Once per statement, with the rows it removed and added (an update is both).
CREATE FUNCTION activity_summary_keep() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM activity_summary_apply(ARRAY(SELECT r::activities FROM removed r), -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM activity_summary_apply(ARRAY(SELECT r::activities FROM added r), 1);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER activity_summary_on_insert AFTER INSERT ON activities
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION activity_summary_keep();
CREATE TRIGGER activity_summary_on_update AFTER UPDATE ON activities
    REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION activity_summary_keep();
CREATE TRIGGER activity_summary_on_delete AFTER DELETE ON activities
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION activity_summary_keep();
