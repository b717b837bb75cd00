-- Hits pushed by cars with a network to the dispatch board (order A.4:
-- BOSS's dispatch functions). A copy for acting on now: the drive brings
-- the full record, which ingest loads into hits. The retention purge
-- destroys a copy with its hit, or past the hits' period.
CREATE TABLE dispatch_hits (
    id            VARCHAR     NOT NULL PRIMARY KEY,  -- the hit's id
    vehicle       VARCHAR     NOT NULL,              -- the car whose token sent it
    officer       VARCHAR,
    alerted_at    TIMESTAMPTZ NOT NULL,
    plate         VARCHAR     NOT NULL,
    matched_plate VARCHAR     NOT NULL,
    match_kind    VARCHAR     NOT NULL,
    list_name     VARCHAR     NOT NULL,
    list_code     VARCHAR,
    ncic_number   VARCHAR,
    priority      VARCHAR     NOT NULL,
    reason        VARCHAR     NOT NULL,
    vehicle_desc  VARCHAR,
    camera        VARCHAR,
    has_fix       BOOLEAN     NOT NULL,
    lat           DOUBLE,
    lon           DOUBLE,
    received_at   TIMESTAMPTZ NOT NULL,
    acked_by      VARCHAR,
    acked_at      TIMESTAMPTZ,
    ack_note      VARCHAR
);
