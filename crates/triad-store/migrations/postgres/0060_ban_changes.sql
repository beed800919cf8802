-- Which bans each move of the ban version changed (migration 0059). An instance that keeps a
-- district's bans of the day reads, when the version has moved, only the bans changed since it
-- read them, and only its district's: a ban issued in another district changes nothing it
-- keeps, and one issued in its own is added without reading the district's thousands again.
-- A change is logged with its district (both districts when one moves a ban between them), in
-- the transaction that makes it, with the version it moved the ban version to. A TRUNCATE
-- names no rows: it is logged as '*' (no id is), and every kept district reads its bans anew.
CREATE TABLE ban_changes (
    version BIGINT NOT NULL,
    district_id TEXT NOT NULL,
    ban_id TEXT NOT NULL
);
CREATE INDEX ban_changes_by_district ON ban_changes (district_id, version);

DROP TRIGGER bans_version ON bans;
DROP FUNCTION bans_changed();

CREATE FUNCTION bans_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    moved BIGINT;
BEGIN
    UPDATE ban_version SET version = version + 1 WHERE id = 1 RETURNING version INTO moved;
    IF TG_OP = 'TRUNCATE' THEN
        INSERT INTO ban_changes (version, district_id, ban_id) VALUES (moved, '*', '*');
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO ban_changes (version, district_id, ban_id)
            VALUES (moved, OLD.district_id, OLD.id);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE'
            AND (NEW.district_id <> OLD.district_id OR NEW.id <> OLD.id)) THEN
        INSERT INTO ban_changes (version, district_id, ban_id)
            VALUES (moved, NEW.district_id, NEW.id);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER bans_version AFTER INSERT OR UPDATE OR DELETE ON bans
    FOR EACH ROW EXECUTE FUNCTION bans_changed();
CREATE TRIGGER bans_version_truncate AFTER TRUNCATE ON bans
    FOR EACH STATEMENT EXECUTE FUNCTION bans_changed();
