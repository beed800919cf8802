-- The last TOTP time step accepted for each account (RFC 6238 section 5.2): a code is
-- accepted once, and no code of that step or an earlier one is accepted after it.
ALTER TABLE users ADD COLUMN totp_last_step INTEGER;
