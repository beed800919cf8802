-- Meetings, training the officer attends and "other" serve no triad role: the balance no
-- longer counts them as emergency-manager or educator time, and the reports show them beside
-- it as other duties. Entries and both summaries are recomputed. The change moves no counts,
-- so the summary trigger is set aside while the entries are rewritten.
ALTER TABLE activities DISABLE TRIGGER activity_summary_on_update;

UPDATE activities SET triad_role = 'other_duties'
WHERE category IN ('meeting', 'training', 'other') AND triad_role <> 'other_duties';
UPDATE activity_summary SET triad_role = 'other_duties'
WHERE category IN ('meeting', 'training', 'other');
UPDATE activity_summary_district SET triad_role = 'other_duties'
WHERE category IN ('meeting', 'training', 'other');

ALTER TABLE activities ENABLE TRIGGER activity_summary_on_update;

-- A campus comparison shows each campus's last entry: the latest of a campus, from an index.
CREATE INDEX activities_by_campus_latest ON activities (campus_id, started_at);
