//! Authentication methods: how a person proves who they are before a session is issued.
//! The passwordless engine (OTP, magic link, enchanted link, NOTP) runs on the pending-secret
//! engine of [`crate::domain::pending`]; passwords, TOTP, recovery codes and security
//! questions keep their secrets on the user. Every method ends in
//! [`crate::domain::sessions`].

pub mod password;
pub mod passwordless;
pub mod recovery;
pub mod totp;
