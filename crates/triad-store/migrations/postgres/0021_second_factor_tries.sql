-- Codes tried on a sign-in waiting for its second factor, taken one at a time before each
-- code is checked: a burst of guesses sent at once cannot check more than five.
ALTER TABLE sessions ADD COLUMN second_factor_tries INTEGER NOT NULL DEFAULT 0;
