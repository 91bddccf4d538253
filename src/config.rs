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

    /// Comma-separated browser origins allowed by CORS on the Descope API paths; `*` reflects
    /// any origin. The emulator's own endpoints are served only to their own origin and to
    /// origins named here explicitly.
    #[arg(long, env = "DESCOPE_EMULATOR_CORS_ORIGINS", default_value = "*")]
    pub cors_origins: String,

    /// Comma-separated host names the emulator answers to, besides `localhost`, IP addresses,
    /// single-label names (container and service names) and the public URL's host; `*`
    /// answers any `Host` (turns the DNS-rebinding guard off).
    #[arg(long, env = "DESCOPE_EMULATOR_ALLOWED_HOSTS", default_value = "")]
    pub allowed_hosts: String,

    /// Password hashing cost: `fast` (cheap argon2 for dev and CI) or `production`
    /// (argon2id with OWASP-recommended memory and time cost).
    #[arg(long, env = "DESCOPE_EMULATOR_PASSWORD_HASH", value_enum, default_value_t = HashCost::Fast)]
    pub password_hash: HashCost,

    /// How many RSA signing keys to keep generated ahead. A project takes its key when it is
    /// first used (creating one never waits); with keys in the pool, neither does its first
    /// token.
    #[arg(long, env = "DESCOPE_EMULATOR_KEY_POOL", default_value_t = 4)]
    pub key_pool: usize,

    /// Largest request body accepted, in bytes; a larger one answers 413 and closes the
    /// connection.
    #[arg(long, env = "DESCOPE_EMULATOR_MAX_BODY", default_value_t = 1024 * 1024)]
    pub max_body: usize,

    /// Deterministic run: every value the emulator generates (IDs, codes, link tokens, TOTP
    /// secrets, signing keys, `jti`s) derives from this seed, the project ID and the order of
    /// the project's calls. Set the clock too for identical tokens run after run.
    #[arg(long, env = "DESCOPE_EMULATOR_SEED")]
    pub seed: Option<u64>,

    /// Instead of serving: ask the emulator serving on `--listen` for its health and exit 0
    /// when it answers `ok`, 1 otherwise (a container healthcheck without curl).
    #[arg(long)]
    pub health_check: bool,
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
            allowed_hosts: String::new(),
            password_hash: HashCost::Fast,
            key_pool: 2,
            max_body: 1024 * 1024,
            seed: None,
            health_check: false,
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
            CorsOrigins::List(_) => self.names(origin),
        }
    }

    /// True when the origin is named in the list (`*` names none): the origins that may use
    /// the emulator-only endpoints from another web origin.
    pub fn names(&self, origin: &str) -> bool {
        match self {
            CorsOrigins::Any => false,
            CorsOrigins::List(list) => list.iter().any(|o| o == origin.trim_end_matches('/')),
        }
    }
}

/// The `Host` names the emulator answers to: a guard against DNS rebinding, where a web page
/// on a name of its own that resolves to 127.0.0.1 would otherwise read the emulator as a
/// same-origin server. A rebinding needs a dotted public name, so IP addresses, `localhost`
/// (and `*.localhost`) and single-label names (container service names) are always served;
/// other names only when configured, or when they are the public URL's host.
#[derive(Debug, Clone)]
pub struct AllowedHosts {
    any: bool,
    names: Arc<Vec<String>>,
}

impl AllowedHosts {
    /// `spec` is the comma-separated `--allowed-hosts` list; `public_url`'s host is added.
    pub fn parse(spec: &str, public_url: &str) -> Self {
        let mut names: Vec<String> =
            spec.split(',').map(|s| s.trim().to_ascii_lowercase()).filter(|s| !s.is_empty()).collect();
        let any = names.iter().any(|s| s == "*");
        if let Some(host) =
            url::Url::parse(public_url).ok().and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        {
            names.push(host);
        }
        AllowedHosts { any, names: Arc::new(names) }
    }

    /// Whether a `Host` header value (name or address, with an optional port) is served.
    pub fn allows(&self, host_header: &str) -> bool {
        if self.any {
            return true;
        }
        let host = host_name(host_header).to_ascii_lowercase();
        host.parse::<std::net::IpAddr>().is_ok()
            || host == "localhost"
            || host.ends_with(".localhost")
            || (!host.is_empty() && !host.contains('.'))
            || self.names.contains(&host)
    }
}

/// The host part of a `Host` value: `[::1]:4545` → `::1`, `example.com:80` → `example.com`.
fn host_name(value: &str) -> &str {
    let value = value.trim();
    if let Some(rest) = value.strip_prefix('[') {
        return rest.split(']').next().unwrap_or_default();
    }
    match value.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
        _ => value,
    }
}
