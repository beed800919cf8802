-- PostgreSQL now adds a batch's changes to the activity summaries once, before its commit,
-- because it keeps a new version of a row for every update. SQLite updates a row in place:
-- its triggers (0012) go on updating the summaries with each entry, and nothing changes here.
SELECT 1;
