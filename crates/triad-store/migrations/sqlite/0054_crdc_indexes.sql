-- The CRDC counts read a district's incidents of a school year, and its arrest entries of the
-- activity log. Without an index the first read the whole incidents table on every view (at
-- state scale, 211,000 rows: 573 ms on PostgreSQL, most of it the JIT compiling a plan that
-- cost estimate called for); with it, 2 ms. The arrest entries are few: a partial index
-- holds only them, so the activity log's writes barely pay for it.
CREATE INDEX incidents_by_district_year ON incidents (district_id, school_year);
CREATE INDEX activities_arrests_by_district ON activities (district_id, school_year)
    WHERE category = 'arrest';
