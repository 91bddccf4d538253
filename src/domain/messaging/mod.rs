//! Messaging: the delivery channels (email, SMS, voice, WhatsApp) and the outbox every
//! message is written to instead of being sent.

pub mod channel;
pub mod outbox;
