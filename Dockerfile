# descope-emulator: a self-hosted emulator of the Descope API.
#   docker build -t descope-emulator .
#   docker run --rm -p 127.0.0.1:4545:4545 -v descope-emulator-data:/data descope-emulator

# --- build ---------------------------------------------------------------------------------
FROM rust:1-bookworm AS builder
# cmake: aws-lc-sys falls back to it when its own C build cannot be used.
RUN apt-get update \
    && apt-get install -y --no-install-recommends cmake \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src

# Dependencies first, against stub sources, so a source change does not rebuild them.
COPY Cargo.toml Cargo.lock ./
# Every target Cargo.toml names needs a stub (src/bin/bench.rs too).
RUN mkdir -p src/bin \
    && echo 'fn main() {}' > src/main.rs \
    && echo 'fn main() {}' > src/bin/bench.rs \
    && touch src/lib.rs \
    && cargo build --release --locked --bin descope-emulator \
    && rm -rf src

# The real sources. `migrations/` is embedded at compile time (sqlx::migrate!).
COPY src ./src
COPY migrations ./migrations
# COPY keeps the context's timestamps, which may be older than the stub build above.
RUN touch src/main.rs src/lib.rs \
    && cargo build --release --locked --bin descope-emulator \
    && cp target/release/descope-emulator /usr/local/bin/descope-emulator

# --- run -----------------------------------------------------------------------------------
FROM debian:bookworm-slim
RUN groupadd --system --gid 10001 emulator \
    && useradd --system --uid 10001 --gid emulator --home-dir /app --no-create-home emulator \
    && mkdir -p /app /data \
    && chown emulator:emulator /data
COPY --from=builder /usr/local/bin/descope-emulator /usr/local/bin/descope-emulator
COPY scripts/docker-entrypoint.sh /usr/local/bin/docker-entrypoint
WORKDIR /app
COPY fixtures/ /app/fixtures/

# Inside a container the emulator must listen on every interface; publish the port on the
# host's loopback (docker-compose.yml does) to keep it private.
ENV DESCOPE_EMULATOR_LISTEN=0.0.0.0:4545 \
    DESCOPE_EMULATOR_DATABASE=sqlite:///data/descope-emulator.db \
    RUST_LOG=info,sqlx=warn
VOLUME ["/data"]
EXPOSE 4545
# Starts as root only to hand a bind-mounted /data (often owned by root) to the emulator
# user, then runs the emulator as that user (scripts/docker-entrypoint.sh).
ENTRYPOINT ["/usr/local/bin/docker-entrypoint"]
HEALTHCHECK --interval=10s --timeout=5s --start-period=5s --retries=3 \
    CMD ["/usr/local/bin/descope-emulator", "--health-check"]
