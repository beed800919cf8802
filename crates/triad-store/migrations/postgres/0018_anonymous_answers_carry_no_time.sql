-- Anonymous survey answers carry no time: an answer given on the web had a UUIDv7 id, which
-- holds the moment it was given. Each gets a random UUIDv4 id instead, and what refers to it
-- follows. (Imported rows have ids derived from their file and line, with no time in them.)
CREATE TABLE survey_response_new_ids (old_id TEXT PRIMARY KEY, new_id TEXT NOT NULL UNIQUE);
INSERT INTO survey_response_new_ids (old_id, new_id)
    SELECT id, gen_random_uuid()::text FROM survey_responses WHERE source = 'web';
INSERT INTO survey_responses (id, campaign_id, role, role_text, source, import_key, original, section, answered_on)
    SELECT m.new_id, r.campaign_id, r.role, r.role_text, r.source, r.import_key, r.original, r.section, r.answered_on
    FROM survey_responses r JOIN survey_response_new_ids m ON m.old_id = r.id;
UPDATE survey_answers SET response_id = (SELECT new_id FROM survey_response_new_ids WHERE old_id = survey_answers.response_id)
    WHERE response_id IN (SELECT old_id FROM survey_response_new_ids);
UPDATE survey_codings SET response_id = (SELECT new_id FROM survey_response_new_ids WHERE old_id = survey_codings.response_id)
    WHERE response_id IN (SELECT old_id FROM survey_response_new_ids);
DELETE FROM survey_responses WHERE id IN (SELECT old_id FROM survey_response_new_ids);
DROP TABLE survey_response_new_ids;

-- The audit trail counts anonymous answers per campaign per day (an entry per answer would
-- order them by its place in the chain): answers are counted here as they come, and each
-- closed day's count is written to the trail once.
CREATE TABLE survey_answer_days (
    campaign_id TEXT NOT NULL REFERENCES survey_campaigns(id),
    day TEXT NOT NULL,
    answers BIGINT NOT NULL,
    audited BOOLEAN NOT NULL,
    PRIMARY KEY (campaign_id, day)
);
