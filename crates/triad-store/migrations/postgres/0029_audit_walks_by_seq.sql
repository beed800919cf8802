-- The audit page lists a district's (or a person's) entries newest first, a page at a time.
-- Indexes in seq order let that walk stop at the page's end however long the trail is; the
-- ones by time made the database read every entry of the district and sort them. Refusals
-- are rare and are what a district looks for first, so they have a walk of their own.
DROP INDEX audit_log_by_district;
DROP INDEX audit_log_by_actor;
CREATE INDEX audit_log_by_district_seq ON audit_log (district_id, seq);
CREATE INDEX audit_log_by_district_outcome ON audit_log (district_id, outcome, seq);
CREATE INDEX audit_log_by_actor_seq ON audit_log (actor_id, seq);
