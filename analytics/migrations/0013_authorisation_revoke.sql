-- The Chief may revoke an authorisation before it expires: an export under
-- a revoked one is refused. Revoking is audited (export.revoke).
ALTER TABLE authorisations ADD COLUMN revoked_at TIMESTAMPTZ;
ALTER TABLE authorisations ADD COLUMN revoked_by VARCHAR;
