-- A campaign's title and notice in Spanish: the form shows them to those who read Spanish,
-- and a campaign that asks students or parents must have both.
ALTER TABLE survey_campaigns ADD COLUMN name_es TEXT;
ALTER TABLE survey_campaigns ADD COLUMN notice_es TEXT;
