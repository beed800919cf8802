-- What a classroom presentation covered (topic, class, a link to the lesson plan), and which
-- staff a relationship-building entry was with (faculty, custodial, food service, bus drivers…).
ALTER TABLE activities ADD COLUMN topic TEXT;
ALTER TABLE activities ADD COLUMN class_name TEXT;
ALTER TABLE activities ADD COLUMN lesson_plan TEXT;
ALTER TABLE activities ADD COLUMN staff_group TEXT;
