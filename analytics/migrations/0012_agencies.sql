-- The law-enforcement agencies IT lists as recipients of records for an
-- investigative function (order E.1) without the Chief's authorisation;
-- an export to anyone else needs one. Adding and removing are audited.
CREATE TABLE agencies (
    ori      VARCHAR     NOT NULL PRIMARY KEY,  -- NCIC originating agency identifier
    name     VARCHAR     NOT NULL,
    added_by VARCHAR     NOT NULL,
    added_at TIMESTAMPTZ NOT NULL
);
