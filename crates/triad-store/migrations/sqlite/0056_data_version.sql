-- Moved by the commit of every write batch holding a write a page may show (all but a
-- credential's last use): every write goes through a writer, and the writer's commit moves
-- it (triad_store::group_commit). A page built from many reads (a home) is kept under the
-- version it was read at and read again once the version has moved, so a write on any
-- instance shows from the next request. Requests read it with the access version, in one
-- statement. A repair in SQL outside Triad does not move it: what is kept is read again
-- within a minute regardless.
CREATE TABLE data_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO data_version (id, version) VALUES (1, 0);
