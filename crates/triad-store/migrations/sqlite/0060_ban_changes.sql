-- Which bans each move of the ban version changed (migration 0059). An instance that keeps a
-- district's bans of the day reads, when the version has moved, only the bans changed since it
-- read them, and only its district's: a ban issued in another district changes nothing it
-- keeps, and one issued in its own is added without reading the district's thousands again.
-- A change is logged with its district (both districts when one moves a ban between them), in
-- the transaction that makes it, with the version it moved the ban version to.
CREATE TABLE ban_changes (
    version BIGINT NOT NULL,
    district_id TEXT NOT NULL,
    ban_id TEXT NOT NULL
);
CREATE INDEX ban_changes_by_district ON ban_changes (district_id, version);

-- The triggers of 0059, each now moving the version and then logging under the moved version.
DROP TRIGGER bans_version_insert;
DROP TRIGGER bans_version_update;
DROP TRIGGER bans_version_delete;

CREATE TRIGGER bans_version_insert AFTER INSERT ON bans
BEGIN
    UPDATE ban_version SET version = version + 1 WHERE id = 1;
    INSERT INTO ban_changes (version, district_id, ban_id)
        SELECT version, NEW.district_id, NEW.id FROM ban_version WHERE id = 1;
END;
CREATE TRIGGER bans_version_update AFTER UPDATE ON bans
BEGIN
    UPDATE ban_version SET version = version + 1 WHERE id = 1;
    INSERT INTO ban_changes (version, district_id, ban_id)
        SELECT version, OLD.district_id, OLD.id FROM ban_version WHERE id = 1;
    INSERT INTO ban_changes (version, district_id, ban_id)
        SELECT version, NEW.district_id, NEW.id FROM ban_version
        WHERE id = 1 AND (NEW.district_id <> OLD.district_id OR NEW.id <> OLD.id);
END;
CREATE TRIGGER bans_version_delete AFTER DELETE ON bans
BEGIN
    UPDATE ban_version SET version = version + 1 WHERE id = 1;
    INSERT INTO ban_changes (version, district_id, ban_id)
        SELECT version, OLD.district_id, OLD.id FROM ban_version WHERE id = 1;
END;
