//! Command-line flags; each one is also an environment variable.

use clap::{Parser, ValueEnum};
use std::sync::Arc;

/// A self-hosted emulator of the Descope API: point the official Descope SDKs at it for local
/// development and hermetic tests. Messages (email, SMS, voice, WhatsApp) go to an outbox
/// instead of being sent; see /emulator/ in a browser.
#[derive(Debug, Clone, Parser)]
#[command(name = "descope-emulator", version, about, long_about = None)]
pub struct Config {
    /// Address to serve on; `127.0.0.1:0` picks a free port.
    #[arg(long, env = "DESCOPE_EMULATOR_LISTEN", default_value = "127.0.0.1:4545")]
    pub listen: String,

    /// SQLite database URL; `sqlite::memory:` for a throw-away run.
    #[arg(long, env = "DESCOPE_EMULATOR_DATABASE", default_value = "sqlite://descope-emulator.db")]
    pub database: String,

    /// A fixture file or folder of fixture files loaded at start (idempotent). A missing
    /// default folder is ignored.
    #[arg(long, env = "DESCOPE_EMULATOR_FIXTURES", default_value = "fixtures/")]
    pub fixtures: String,

    /// Base of links the emulator writes (magic links, JWT issuer, metadata).
    /// Defaults to `http://<listen address>`.
    #[arg(long, env = "DESCOPE_EMULATOR_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Comma-separated browser origins allowed by CORS; `*` reflects any origin.
    #[arg(long, env = "DESCOPE_EMULATOR_CORS_ORIGINS", default_value = "*")]
    pub cors_origins: String,

    /// Password hashing cost: `fast` (cheap argon2 for dev and CI) or `production`
    /// (argon2id with OWASP-recommended memory and time cost).
    #[arg(long, env = "DESCOPE_EMULATOR_PASSWORD_HASH", value_enum, default_value_t = HashCost::Fast)]
    pub password_hash: HashCost,

    /// How many RSA signing keys to keep generated ahead. A project takes its key when it is
    /// first used (creating one never waits); with keys in the pool, neither does its first
    /// token.
    #[arg(long, env = "DESCOPE_EMULATOR_KEY_POOL", default_value_t = 4)]
    pub key_pool: usize,

    /// Largest request body accepted, in bytes.
    #[arg(long, env = "DESCOPE_EMULATOR_MAX_BODY", default_value_t = 1024 * 1024)]
    pub max_body: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HashCost {
    Fast,
    Production,
}

impl Config {
    /// A configuration for tests and embedding: in-memory database, no fixtures, free port.
    pub fn for_tests() -> Self {
        Config {
            listen: "127.0.0.1:0".into(),
            database: "sqlite::memory:".into(),
            fixtures: String::new(),
            public_url: Some("http://emulator.test".into()),
            cors_origins: "*".into(),
            password_hash: HashCost::Fast,
            key_pool: 2,
            max_body: 1024 * 1024,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Config::command().debug_assert();
    }
}

/// Which browser origins get CORS headers.
#[derive(Debug, Clone)]
pub enum CorsOrigins {
    Any,
    List(Arc<Vec<String>>),
}

impl CorsOrigins {
    pub fn parse(spec: &str) -> Self {
        let list: Vec<String> = spec
            .split(',')
            .map(|s| s.trim().trim_end_matches('/').to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        if list.is_empty() || list.iter().any(|s| s == "*") {
            CorsOrigins::Any
        } else {
            CorsOrigins::List(Arc::new(list))
        }
    }

    pub fn allows(&self, origin: &str) -> bool {
        match self {
            CorsOrigins::Any => true,
            CorsOrigins::List(list) => list.iter().any(|o| o == origin),
        }
    }
}
