-- Retention: the destruction log (the department's certificate of
-- destruction) and the marks that let an interrupted purge resume.

CREATE TABLE destruction_log (
    id             VARCHAR     PRIMARY KEY,
    run_id         VARCHAR     NOT NULL,
    event_at       TIMESTAMPTZ NOT NULL,
    series         VARCHAR     NOT NULL,   -- reads, hits, dispositions, plate images
    day            DATE        NOT NULL,   -- the local day whose records were destroyed
    rows_destroyed BIGINT      NOT NULL,
    files          BIGINT      NOT NULL,
    rows_held      BIGINT      NOT NULL,
    actor          VARCHAR     NOT NULL,   -- the job or the user
    policy_version VARCHAR     NOT NULL,
    ids_sha256     VARCHAR     NOT NULL    -- SHA-256 over the sorted ids destroyed
);

-- A day being purged: marked before anything is removed, "rows" once its
-- rows are gone (its image folder may still be there), "done" at the end.
CREATE TABLE purge_marks (
    run_id   VARCHAR     NOT NULL,
    day      DATE        NOT NULL,
    state    VARCHAR     NOT NULL,
    event_at TIMESTAMPTZ NOT NULL
);
