-- The monthly summaries are kept by the database, in the statement that changes the entries.
-- A write is then one statement instead of three (each a hand-off to the engine), and no path
-- that writes entries (logging, correcting, importing, bulk loads) can forget the summaries.

-- One change to the summaries: an entry counted in (direction 1) or out (direction -1). The
-- view holds no rows; inserting into it applies the change to both summaries, so the upserts
-- are written once for the three triggers below.
CREATE VIEW activity_summary_changes AS
SELECT campus_id, author_id, district_id, agency_id, school_year, month, category, triad_role,
       0 AS direction, minutes, students, parents, staff
FROM activities WHERE 0;

CREATE TRIGGER activity_summary_apply INSTEAD OF INSERT ON activity_summary_changes
BEGIN
    INSERT INTO activity_summary (campus_id, author_id, district_id, agency_id, school_year, month,
        category, triad_role, entries, minutes, students, parents, staff)
    VALUES (NEW.campus_id, NEW.author_id, NEW.district_id, NEW.agency_id, NEW.school_year, NEW.month,
        NEW.category, NEW.triad_role, NEW.direction, NEW.direction * NEW.minutes,
        NEW.direction * NEW.students, NEW.direction * NEW.parents, NEW.direction * NEW.staff)
    ON CONFLICT (campus_id, author_id, month, category) DO UPDATE SET
        entries = entries + excluded.entries, minutes = minutes + excluded.minutes,
        students = students + excluded.students, parents = parents + excluded.parents,
        staff = staff + excluded.staff;
    INSERT INTO activity_summary_district (district_id, school_year, month, category, triad_role,
        entries, minutes, students, parents, staff)
    VALUES (NEW.district_id, NEW.school_year, NEW.month, NEW.category, NEW.triad_role, NEW.direction,
        NEW.direction * NEW.minutes, NEW.direction * NEW.students, NEW.direction * NEW.parents,
        NEW.direction * NEW.staff)
    ON CONFLICT (district_id, month, category) DO UPDATE SET
        entries = entries + excluded.entries, minutes = minutes + excluded.minutes,
        students = students + excluded.students, parents = parents + excluded.parents,
        staff = staff + excluded.staff;
END;

CREATE TRIGGER activity_summary_on_insert AFTER INSERT ON activities
BEGIN
    INSERT INTO activity_summary_changes VALUES (NEW.campus_id, NEW.author_id, NEW.district_id,
        NEW.agency_id, NEW.school_year, NEW.month, NEW.category, NEW.triad_role, 1, NEW.minutes,
        NEW.students, NEW.parents, NEW.staff);
END;

CREATE TRIGGER activity_summary_on_update AFTER UPDATE ON activities
BEGIN
    INSERT INTO activity_summary_changes VALUES (OLD.campus_id, OLD.author_id, OLD.district_id,
        OLD.agency_id, OLD.school_year, OLD.month, OLD.category, OLD.triad_role, -1, OLD.minutes,
        OLD.students, OLD.parents, OLD.staff);
    INSERT INTO activity_summary_changes VALUES (NEW.campus_id, NEW.author_id, NEW.district_id,
        NEW.agency_id, NEW.school_year, NEW.month, NEW.category, NEW.triad_role, 1, NEW.minutes,
        NEW.students, NEW.parents, NEW.staff);
END;

CREATE TRIGGER activity_summary_on_delete AFTER DELETE ON activities
BEGIN
    INSERT INTO activity_summary_changes VALUES (OLD.campus_id, OLD.author_id, OLD.district_id,
        OLD.agency_id, OLD.school_year, OLD.month, OLD.category, OLD.triad_role, -1, OLD.minutes,
        OLD.students, OLD.parents, OLD.staff);
END;
