-- Order D.2: the retention policy in force is a versioned file; each
-- version adopted is kept here (its text and SHA-256) and its adoption is
-- audited. The destruction log names the version that destroyed a record.
CREATE TABLE retention_policies (
    version    VARCHAR     NOT NULL PRIMARY KEY,
    sha256     VARCHAR     NOT NULL,
    body       VARCHAR     NOT NULL,
    adopted_at TIMESTAMPTZ NOT NULL,
    adopted_by VARCHAR     NOT NULL
);

-- The back office's scheduled jobs (nightly purge, monthly reports,
-- hot-list refresh): one row per run, so a run missed while the server
-- was down is caught up at start.
CREATE TABLE job_runs (
    job          VARCHAR     NOT NULL,
    scheduled_at TIMESTAMPTZ NOT NULL,  -- the occurrence this run stands for
    started_at   TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ NOT NULL,
    catch_up     BOOLEAN     NOT NULL,  -- run at start for occurrences missed
    ok           BOOLEAN     NOT NULL,
    summary      VARCHAR     NOT NULL
);

-- purge_marks (0002): a finished day's marks are now deleted rather than
-- marked "done"; the destruction log is the permanent record.
DELETE FROM purge_marks m WHERE EXISTS
    (SELECT 1 FROM purge_marks d WHERE d.run_id = m.run_id AND d.day = m.day AND d.state = 'done');
