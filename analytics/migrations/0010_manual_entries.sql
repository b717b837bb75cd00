-- The department's manual hot-list entries (a local BOLO list), kept in
-- the back office and exported to the cars as the list LOCAL. An entry
-- always expires; expiring one early is recorded, with who and why.
CREATE TABLE manual_entries (
    id           VARCHAR     NOT NULL PRIMARY KEY,
    plate        VARCHAR     NOT NULL,
    state        VARCHAR,
    reason       VARCHAR     NOT NULL,
    case_number  VARCHAR     NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    added_by     VARCHAR     NOT NULL,
    added_at     TIMESTAMPTZ NOT NULL,
    expired_by   VARCHAR,
    expired_at   TIMESTAMPTZ,
    expire_note  VARCHAR
);
