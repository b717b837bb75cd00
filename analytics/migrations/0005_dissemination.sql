-- Order E.1: every export that leaves the department, and the Chief's
-- (or designee's) authorisations that allow one outside an investigative
-- function of another law-enforcement agency.
CREATE TABLE authorisations (
    id            VARCHAR     NOT NULL PRIMARY KEY,
    granted_at    TIMESTAMPTZ NOT NULL,
    granted_by    VARCHAR     NOT NULL,  -- a user with the chief role
    recipient     VARCHAR     NOT NULL,
    purpose       VARCHAR     NOT NULL,
    case_number   VARCHAR     NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE disseminations (
    id               VARCHAR     NOT NULL PRIMARY KEY,
    exported_at      TIMESTAMPTZ NOT NULL,
    user_name        VARCHAR     NOT NULL,
    recipient        VARCHAR     NOT NULL,  -- the receiving agency
    purpose          VARCHAR     NOT NULL,
    basis            VARCHAR     NOT NULL,  -- 'law-enforcement-investigative' or 'chief-authorised'
    authorisation_id VARCHAR,               -- set when chief-authorised
    case_number      VARCHAR     NOT NULL,
    reason           VARCHAR     NOT NULL,
    what             VARCHAR     NOT NULL,  -- the search exported
    rows             INTEGER     NOT NULL
);
