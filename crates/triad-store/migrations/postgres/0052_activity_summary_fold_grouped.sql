-- A batch's noted changes were gathered into one array before being added (0014), one
-- element per entry written. PostgreSQL caps an array at 1 GiB, so a transaction that writes
-- millions of entries (a state-scale demo, a large import) failed at its commit. The changes
-- are now grouped by summary row first: the array holds one element per summary row the
-- transaction touched, however many entries it wrote.
CREATE OR REPLACE FUNCTION activity_summary_fold() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    taken activity_summary_change[];
BEGIN
    WITH d AS (DELETE FROM activity_summary_pending p RETURNING p.*)
    SELECT array_agg(ROW(g.campus_id, g.author_id, g.district_id, g.agency_id, g.school_year,
            g.month, g.category, g.triad_role, g.entries, g.minutes, g.students, g.parents,
            g.staff)::activity_summary_change)
    INTO taken
    FROM (
        SELECT campus_id, author_id, district_id, agency_id, school_year, month, category,
            triad_role, SUM(entries)::BIGINT AS entries, SUM(minutes)::BIGINT AS minutes,
            SUM(students)::BIGINT AS students, SUM(parents)::BIGINT AS parents,
            SUM(staff)::BIGINT AS staff
        FROM d
        GROUP BY campus_id, author_id, district_id, agency_id, school_year, month, category,
            triad_role
    ) g;
    IF taken IS NOT NULL THEN
        PERFORM activity_summary_add(taken);
    END IF;
END
$$;
