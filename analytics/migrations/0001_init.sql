-- Plateward store, version 1: the drive's record kinds, the ingest
-- manifest, the audit log and retention holds.

CREATE TABLE reads (
    id                    VARCHAR     NOT NULL,
    captured_at           TIMESTAMPTZ NOT NULL,
    plate                 VARCHAR     NOT NULL,
    raw_text              VARCHAR,
    confidence            FLOAT,
    candidates            VARCHAR[],
    candidate_confidences FLOAT[],
    state                 VARCHAR,
    camera                VARCHAR,
    vehicle               VARCHAR,
    officer               VARCHAR,
    shift_id              VARCHAR,
    gps_fix               BOOLEAN,
    lat                   DOUBLE,
    lon                   DOUBLE,
    gps_at                TIMESTAMPTZ,
    box_x                 INTEGER,
    box_y                 INTEGER,
    box_w                 INTEGER,
    box_h                 INTEGER,
    crop_path             VARCHAR,     -- relative to the image store
    overview_path         VARCHAR,
    source_file           VARCHAR     NOT NULL,
    loaded_at             TIMESTAMPTZ NOT NULL
);

CREATE TABLE hits (
    id            VARCHAR     NOT NULL,
    read_id       VARCHAR     NOT NULL,
    alerted_at    TIMESTAMPTZ NOT NULL,
    plate         VARCHAR     NOT NULL,
    matched_plate VARCHAR     NOT NULL,
    match_kind    VARCHAR     NOT NULL,
    list_name     VARCHAR     NOT NULL,
    list_code     VARCHAR     NOT NULL,
    ncic_number   VARCHAR,
    priority      VARCHAR     NOT NULL,
    reason        VARCHAR     NOT NULL,
    list_state    VARCHAR,
    vehicle_desc  VARCHAR,
    covert        BOOLEAN     NOT NULL,
    camera        VARCHAR,
    vehicle       VARCHAR,
    officer       VARCHAR,
    shift_id      VARCHAR,
    source_file   VARCHAR     NOT NULL,
    loaded_at     TIMESTAMPTZ NOT NULL
);

CREATE TABLE dispositions (
    id          VARCHAR     NOT NULL,
    hit_id      VARCHAR     NOT NULL,
    event_at    TIMESTAMPTZ NOT NULL,
    step        VARCHAR     NOT NULL,
    code        VARCHAR     NOT NULL,
    note        VARCHAR,
    officer     VARCHAR,
    vehicle     VARCHAR,
    shift_id    VARCHAR,
    source_file VARCHAR     NOT NULL,
    loaded_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE shift_events (
    id              VARCHAR     NOT NULL,
    shift_id        VARCHAR     NOT NULL,
    event_at        TIMESTAMPTZ NOT NULL,
    event           VARCHAR     NOT NULL,
    officer         VARCHAR,
    vehicle         VARCHAR,
    cameras         VARCHAR[],
    hotlist_version VARCHAR,
    selfcheck_ok    BOOLEAN,
    detail          VARCHAR,
    source_file     VARCHAR     NOT NULL,
    loaded_at       TIMESTAMPTZ NOT NULL
);

-- One row per drive file loaded: a file whose SHA-256 is here is never
-- loaded again. Written in the same transaction as the file's rows.
CREATE TABLE ingest_manifest (
    sha256    VARCHAR     PRIMARY KEY,
    file_name VARCHAR     NOT NULL,
    kind      VARCHAR     NOT NULL,
    rows      BIGINT      NOT NULL,
    sealed    BOOLEAN     NOT NULL,
    tail      VARCHAR,                 -- what was cut from an unsealed file
    loaded_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE ingest_quarantine (
    sha256    VARCHAR,
    file_name VARCHAR     NOT NULL,
    reason    VARCHAR     NOT NULL,
    moved_to  VARCHAR     NOT NULL,
    event_at  TIMESTAMPTZ NOT NULL
);

-- Append-only and hash-chained: hash = SHA-256 over the previous hash and
-- this row's fields (see audit.go).
CREATE TABLE audit_log (
    seq         BIGINT      PRIMARY KEY,
    event_at    TIMESTAMPTZ NOT NULL,
    user_name   VARCHAR     NOT NULL,
    action      VARCHAR     NOT NULL,
    reason      VARCHAR,
    case_number VARCHAR,
    detail      VARCHAR,
    prev_hash   VARCHAR     NOT NULL,
    hash        VARCHAR     NOT NULL
);

-- Evidence designations and retention requests. Nothing a hold covers is
-- ever purged; released holds stay here as history.
CREATE TABLE holds (
    id          VARCHAR     PRIMARY KEY,
    case_number VARCHAR     NOT NULL,
    plate       VARCHAR,               -- normalised; null for any plate
    read_id     VARCHAR,
    from_ts     TIMESTAMPTZ,
    to_ts       TIMESTAMPTZ,
    requester   VARCHAR     NOT NULL,
    reason      VARCHAR     NOT NULL,
    until_ts    TIMESTAMPTZ,           -- null: indefinite
    created_at  TIMESTAMPTZ NOT NULL,
    created_by  VARCHAR     NOT NULL,
    released_at TIMESTAMPTZ,
    released_by VARCHAR
);
