-- The audit page's action filter is a typed prefix ("evidence."). A rare family walked by seq
-- reads a district's whole trail to fill a page; these indexes hold each family's entries
-- together, in seq order, so a rare one is found by its range (the query counts the range
-- first and walks by seq when the family is common). The range is compared byte by byte
-- (COLLATE "C"): a language's collation may ignore the dot, and a prefix would then not be
-- one range of the index.
CREATE INDEX audit_log_by_district_action ON audit_log (district_id, action COLLATE "C", seq);
CREATE INDEX audit_log_by_action ON audit_log (action COLLATE "C", seq);
