-- Hot lists refreshed from their sources by alpr serve (issue: live
-- inputs). Every version fetched is kept here with its fate; its bytes are
-- in STORE/hotlists/<list>/<sha256>.<format>.
CREATE TABLE hotlist_versions (
    list        VARCHAR     NOT NULL,
    sha256      VARCHAR     NOT NULL,
    format      VARCHAR     NOT NULL,   -- ncic or csv
    source      VARCHAR     NOT NULL,   -- folder file or URL it came from
    entries     INTEGER     NOT NULL,
    skipped     INTEGER     NOT NULL,   -- lines that could not be used
    fetched_at  TIMESTAMPTZ NOT NULL,
    checked_at  TIMESTAMPTZ NOT NULL,   -- last fetch that found this same version
    state       VARCHAR     NOT NULL,   -- current, previous, review, rejected, superseded
    detail      VARCHAR     NOT NULL,   -- why it was held or rejected; line errors
    decided_by  VARCHAR,
    decided_at  TIMESTAMPTZ,
    PRIMARY KEY (list, sha256)
);

-- The analysts' queue of retro hits: earlier reads of plates a refresh
-- added to a list. It copies nothing of the read (the page joins reads),
-- and the retention purge deletes an item with its read.
CREATE TABLE retro_queue (
    id          VARCHAR     NOT NULL PRIMARY KEY,
    list        VARCHAR     NOT NULL,
    version     VARCHAR     NOT NULL,   -- the list version's sha256
    entry_plate VARCHAR     NOT NULL,
    reason      VARCHAR     NOT NULL,   -- the list entry's reason
    read_id     VARCHAR     NOT NULL,
    queued_at   TIMESTAMPTZ NOT NULL,
    reviewed_by VARCHAR,
    reviewed_at TIMESTAMPTZ,
    note        VARCHAR
);
