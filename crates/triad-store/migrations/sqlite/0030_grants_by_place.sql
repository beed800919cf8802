-- The people of a district (the audit page's filter, the people pickers) are found from the
-- roles held there and in the agencies serving it, not by testing every account.
CREATE INDEX grants_by_district ON grants (district_id);
CREATE INDEX grants_by_agency ON grants (agency_id);
