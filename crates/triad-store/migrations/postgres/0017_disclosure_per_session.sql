-- A disclosure of a school record to an officer is made on purpose (a POST with its reason)
-- and opens the record to that officer for the rest of the session or token it was made with:
-- later views are audited reads, not new disclosures. Earlier rows name no session.
ALTER TABLE disclosures ADD COLUMN opened_for TEXT;
CREATE INDEX disclosures_opened ON disclosures (record_id, disclosed_to, opened_for);
