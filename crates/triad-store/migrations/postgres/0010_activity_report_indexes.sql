-- Reports by officer, campus and agency read the summary by that column and a month range.
CREATE INDEX activity_summary_by_author ON activity_summary (author_id, month);
CREATE INDEX activity_summary_by_campus ON activity_summary (campus_id, month);
CREATE INDEX activity_summary_by_agency ON activity_summary (agency_id, month);
