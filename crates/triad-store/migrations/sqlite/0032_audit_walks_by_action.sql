-- The audit page's action filter is a typed prefix ("evidence."). A rare family walked by seq
-- reads a district's whole trail to fill a page; these indexes hold each family's entries
-- together, in seq order, so a rare one is found by its range (the query counts the range
-- first and walks by seq when the family is common). SQLite compares text byte by byte.
CREATE INDEX audit_log_by_district_action ON audit_log (district_id, action, seq);
CREATE INDEX audit_log_by_action ON audit_log (action, seq);
