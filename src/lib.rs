//! descope-emulator: a self-hosted server that speaks the Descope API, for local development,
//! hermetic tests and demos. See README.md.

pub mod api;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod determinism;
pub mod domain;
pub mod dto;
pub mod error;
pub mod fixtures;
pub mod http;
pub mod ids;
pub mod json;
pub mod state;
pub mod store;

use anyhow::Context;
use std::path::Path;
use tokio::net::TcpListener;

pub use config::Config;
pub use state::AppState;

/// Builds the router over a state.
pub fn app(state: AppState, max_body: usize) -> axum::Router {
    api::router(state, max_body)
}

/// Connects the database, runs migrations, loads fixtures: everything but the socket.
pub async fn build_state(config: &Config, public_url: &str) -> anyhow::Result<AppState> {
    let db = store::connect(&config.database)
        .await
        .with_context(|| format!("cannot open database {}", config.database))?;
    let mut state = AppState::new(
        db,
        crypto::KeyPool::new(config.key_pool),
        crypto::PasswordHasher::new(config.password_hash),
        config::CorsOrigins::parse(&config.cors_origins),
        public_url,
    );
    state.hosts = config::AllowedHosts::parse(&config.allowed_hosts, public_url);
    state.projects.seeds().set_global(config.seed);
    if !config.fixtures.is_empty() {
        let path = Path::new(&config.fixtures);
        if path.exists() {
            fixtures::load_path(&state, path).await?;
        } else if config.fixtures != "fixtures/" {
            anyhow::bail!("fixtures not found: {}", config.fixtures);
        } else {
            let cwd = std::env::current_dir().map(|d| d.display().to_string()).unwrap_or_default();
            tracing::warn!(
                "no fixtures/ folder in {cwd}: starting without the default project (pass --fixtures PATH)"
            );
        }
    }
    // A file database may hold data of resets that a stop interrupted.
    if !config.database.contains(":memory:") {
        domain::projects::purge_stale_scopes(&state.db).await?;
    }
    Ok(state)
}

/// Binds the configured address and serves until SIGINT or SIGTERM.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let listener = TcpListener::bind(&config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    run_with_listener(config, listener).await
}

/// Serves on an already bound listener (tests bind `127.0.0.1:0`).
pub async fn run_with_listener(config: Config, listener: TcpListener) -> anyhow::Result<()> {
    let addr = listener.local_addr()?;
    let public_url = config.public_url.clone().unwrap_or_else(|| default_public_url(addr));
    let state = build_state(&config, &public_url).await?;
    let outbox = state.outbox.clone();
    let app = app(state, config.max_body);
    #[expect(clippy::print_stdout, reason = "the one line a harness reads to find the port")]
    {
        println!("descope-emulator listening on http://{addr}");
    }
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    http::server::serve(listener, app, async move {
        shutdown_signal().await;
        // Long-polls (`outbox?wait=`) answer now instead of holding the shutdown.
        outbox.close();
    })
    .await;
    Ok(())
}

/// `--health-check`: asks the emulator listening on `listen` (on loopback when that is an
/// unspecified address) for `GET /emulator/v1/health`; true when it answers 200.
pub async fn health_check(listen: &str) -> bool {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let Ok(addr) = listen.parse::<std::net::SocketAddr>() else {
        return false;
    };
    let addr = if addr.ip().is_unspecified() {
        std::net::SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), addr.port())
    } else {
        addr
    };
    let ask = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await?;
        let request =
            format!("GET /emulator/v1/health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await?;
        std::io::Result::Ok(answer.starts_with(b"HTTP/1.1 200"))
    };
    matches!(tokio::time::timeout(std::time::Duration::from_secs(3), ask).await, Ok(Ok(true)))
}

/// `http://<listen address>`; an unspecified address (`0.0.0.0`, `[::]`, as in a container)
/// is no place to send a browser, so links name `localhost` instead.
fn default_public_url(addr: std::net::SocketAddr) -> String {
    if addr.ip().is_unspecified() {
        format!("http://localhost:{}", addr.port())
    } else {
        format!("http://{addr}")
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
