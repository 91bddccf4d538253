use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = descope_emulator::Config::parse();
    if config.health_check {
        std::process::exit(if descope_emulator::health_check(&config.listen).await { 0 } else { 1 });
    }
    // rmcp logs each stateless /mcp request (a session each) at info.
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,rmcp=error")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    descope_emulator::run(config).await
}
