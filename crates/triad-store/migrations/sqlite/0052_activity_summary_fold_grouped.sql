-- PostgreSQL's batch fold (0014) now groups a batch's changes before adding them, so a
-- transaction of millions of entries fits in one array. SQLite's triggers update the
-- summaries with each entry (0012): nothing changes here.
SELECT 1;
