-- Email sent once per person and occasion, whichever of the instances serving a district sends
-- it: an instance claims (kind, person, occasion) before sending, and a claim already taken
-- means another instance has it. A send that fails gives its claim back.
CREATE TABLE email_claims (
    kind TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id),
    occasion TEXT NOT NULL,
    claimed_at BIGINT NOT NULL,
    PRIMARY KEY (kind, user_id, occasion)
);

-- The kinds of email a person stopped, with one click from the email itself.
CREATE TABLE email_opt_outs (
    user_id TEXT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    stopped_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, kind)
);

-- Reminders look for the items due on a day.
CREATE INDEX action_items_by_due ON action_items (due_on, status);
