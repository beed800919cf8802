-- The words a district's staff are trained on for the two campus states Triad has (for
-- example "Secure" or "Hold" for controlled movement): shown on every page, banner and
-- notice of the district. Empty: Triad's own words.
ALTER TABLE districts ADD COLUMN controlled_movement_words TEXT;
ALTER TABLE districts ADD COLUMN lockdown_words TEXT;
