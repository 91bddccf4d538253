-- Key rotation: a rotated-out signing key stays valid (in the JWKS, verifying tokens) until
-- `retire_ms` by the emulator clock; NULL means it never retires (the active key, and keys
-- loaded inactive from fixtures).
ALTER TABLE signing_keys ADD COLUMN retire_ms INTEGER;
