-- A sign-in checks the visitor against every ban in force in the district. Instances keep a
-- district's bans of the day between sign-ins and read them again when this version has moved:
-- every change to a ban moves it, in the transaction that makes it, and every request reads it
-- with the access and data versions (one statement), so a ban issued on any instance is
-- checked from the next sign-in on every instance. The data version would not do: every
-- sign-in moves it, so nothing would stay kept under a stream of sign-ins.
CREATE TABLE ban_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO ban_version (id, version) VALUES (1, 0);

CREATE TRIGGER bans_version_insert AFTER INSERT ON bans
BEGIN UPDATE ban_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER bans_version_update AFTER UPDATE ON bans
BEGIN UPDATE ban_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER bans_version_delete AFTER DELETE ON bans
BEGIN UPDATE ban_version SET version = version + 1 WHERE id = 1; END;
