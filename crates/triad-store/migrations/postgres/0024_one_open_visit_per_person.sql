-- A person (name and date of birth) signed in and not yet out on a campus is signed in once:
-- a second sign-in of the same person there is refused until the first is signed out, even
-- when both arrive at the same moment. `open_person` holds the person's key while the visit
-- is open and is cleared at sign-out; visits before this release keep none.
ALTER TABLE visitors ADD COLUMN open_person TEXT;
CREATE UNIQUE INDEX visitors_open_once ON visitors (campus_id, open_person);
