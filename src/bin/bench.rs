//! `bench`: descope-emulator and the Firebase Auth Emulator side by side (docs/PERFORMANCE.md).
//!
//! Run it through `bash scripts/bench.sh`, which builds the release binary, installs the pinned
//! `firebase-tools` under `benches/firebase/` and calls this program. Each run starts both
//! servers fresh on loopback and drives every workload against one, then the other, with the
//! same client (this file), alternating which goes first, so machine noise hits both alike:
//!
//! - W1 cold start: spawn to the first successful health answer (empty state)
//! - W2 memory: RSS idle, and after the 10,000 users of W3
//! - W3 admin create-user throughput, 10,000 users at concurrency 16
//! - W4 password sign-in throughput and p50/p99 (concurrency 16)
//! - W5 SMS OTP flow end to end (send, read the code, verify; concurrency 8), then again with
//!   2,000 unused codes pending
//! - W6 refresh throughput and p50/p99 (concurrency 16)
//! - W7 reset with the 10,000 users present
//! - P  project creation (ours only): p50/p99 at 10 per second and in a burst of 100
//!
//! The load client is a minimal HTTP/1.1 keep-alive client over tokio's `TcpStream` on a
//! single-threaded runtime: no dependency beyond what the server already has, and cheap enough
//! per request that the servers, not the client, are measured.

#![allow(clippy::print_stdout, reason = "a command-line tool that prints its report")]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use base64::Engine as _;
use clap::Parser;
use serde_json::{json, Value};
use tokio::net::TcpStream;

const PASSWORD: &str = "Bench-Passw0rd!42";
const FIREBASE_PROJECT: &str = "demo-bench";
const FIREBASE_KEY: &str = "fake-api-key";
const CONCURRENCY: usize = 16;
const OTP_CONCURRENCY: usize = 8;

#[derive(Debug, Clone, Parser)]
#[command(name = "bench", about = "descope-emulator vs the Firebase Auth Emulator (docs/PERFORMANCE.md)")]
struct Args {
    /// Number of runs; every figure is reported as the median and min–max over them.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// The descope-emulator binary (build it with `cargo build --release`).
    #[arg(long, default_value = "target/release/descope-emulator")]
    emulator: PathBuf,
    /// Folder with firebase.json and node_modules/ (after `npm ci`).
    #[arg(long, default_value = "benches/firebase")]
    firebase_dir: PathBuf,
    /// Measure descope-emulator alone (Firebase's column then says why it is missing).
    #[arg(long)]
    no_firebase: bool,
    /// Why Firebase is not measured, written into the report with --no-firebase.
    #[arg(long, default_value = "not run (--no-firebase)")]
    no_firebase_reason: String,
    /// Small sizes and short durations: a smoke test of the harness, not a measurement.
    #[arg(long)]
    quick: bool,
    /// Seconds each timed workload (W4, W5, W6) runs, after a short warm-up.
    #[arg(long, default_value_t = 4.0)]
    seconds: f64,
    /// Users created in W3 (and present for W2 and W7).
    #[arg(long, default_value_t = 10_000)]
    users: u64,
    /// Unused OTP codes pending in the second half of W5.
    #[arg(long, default_value_t = 2_000)]
    pending: u64,
    /// Markdown report: replaces the part between the bench markers, or writes a new file.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Raw per-run figures as JSON.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Folder for the servers' logs.
    #[arg(long, default_value = "target/bench")]
    log_dir: PathBuf,
    /// Only these of w4,w5,w6,w7,p (comma-separated; W1–W3 always run): for profiling one.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// The command line to quote in the report.
    #[arg(long, default_value = "bash scripts/bench.sh")]
    command: String,
}

// ---------------------------------------------------------------------------------------------
// A minimal HTTP/1.1 client.

struct Resp {
    status: u16,
    body: Vec<u8>,
}

impl Resp {
    fn json(&self) -> Result<Value> {
        serde_json::from_slice(&self.body).context("response is not JSON")
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).chars().take(300).collect()
    }
}

struct Conn {
    addr: SocketAddr,
    stream: Option<TcpStream>,
    buf: Vec<u8>,
    req: Vec<u8>,
}

impl Conn {
    fn new(addr: SocketAddr) -> Self {
        Conn { addr, stream: None, buf: Vec::with_capacity(16 * 1024), req: Vec::with_capacity(4096) }
    }

    async fn connect(&mut self) -> Result<()> {
        let stream = TcpStream::connect(self.addr).await?;
        stream.set_nodelay(true)?;
        self.stream = Some(stream);
        self.buf.clear();
        Ok(())
    }

    async fn get(&mut self, path: &str) -> Result<Resp> {
        self.request("GET", path, None, b"").await
    }

    async fn post(&mut self, path: &str, auth: Option<&str>, body: &Value) -> Result<Resp> {
        let body = serde_json::to_vec(body)?;
        self.request("POST", path, auth, &body).await
    }

    /// Sends one request; on a kept-alive connection the server closed before answering, it
    /// reconnects and sends it again once.
    async fn request(&mut self, method: &str, path: &str, auth: Option<&str>, body: &[u8]) -> Result<Resp> {
        self.req.clear();
        let _ = write!(
            Wr(&mut self.req),
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nAccept: application/json\r\n",
            self.addr
        );
        if let Some(auth) = auth {
            let _ = write!(Wr(&mut self.req), "Authorization: Bearer {auth}\r\n");
        }
        if method != "GET" {
            let _ = write!(
                Wr(&mut self.req),
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            );
        }
        self.req.extend_from_slice(b"\r\n");
        self.req.extend_from_slice(body);
        let fresh = self.stream.is_none();
        if fresh {
            self.connect().await?;
        }
        match self.exchange().await {
            Ok(resp) => Ok(resp),
            Err(Exchange::ClosedBeforeAnswer) if !fresh => {
                self.connect().await?;
                self.exchange().await.map_err(|e| e.into_error())
            }
            Err(e) => {
                self.stream = None;
                Err(e.into_error())
            }
        }
    }

    async fn exchange(&mut self) -> Result<Resp, Exchange> {
        let stream = self.stream.as_ref().ok_or(Exchange::ClosedBeforeAnswer)?;
        write_all(stream, &self.req).await.map_err(|_| Exchange::ClosedBeforeAnswer)?;
        // Head.
        let head_end = loop {
            if let Some(i) = find(&self.buf, b"\r\n\r\n") {
                break i + 4;
            }
            let n = read_more(stream, &mut self.buf).await.map_err(Exchange::Io)?;
            if n == 0 {
                return Err(if self.buf.is_empty() {
                    Exchange::ClosedBeforeAnswer
                } else {
                    Exchange::Other(anyhow!("connection closed inside a response head"))
                });
            }
        };
        let head = std::str::from_utf8(&self.buf[..head_end]).map_err(|e| Exchange::Other(e.into()))?;
        let mut lines = head.split("\r\n");
        let status: u16 = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| Exchange::Other(anyhow!("bad status line")))?;
        let mut length = None;
        let mut chunked = false;
        let mut close = false;
        for line in lines {
            let Some((name, value)) = line.split_once(':') else { continue };
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                length = value.parse::<usize>().ok();
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.eq_ignore_ascii_case("chunked");
            } else if name.eq_ignore_ascii_case("connection") {
                close = value.eq_ignore_ascii_case("close");
            }
        }
        // Body.
        let body = if chunked {
            let mut body = Vec::new();
            let mut pos = head_end;
            loop {
                let line_end = loop {
                    if let Some(i) = find(&self.buf[pos..], b"\r\n") {
                        break pos + i;
                    }
                    if read_more(stream, &mut self.buf).await.map_err(Exchange::Io)? == 0 {
                        return Err(Exchange::Other(anyhow!("connection closed inside a chunk")));
                    }
                };
                let size_text = std::str::from_utf8(&self.buf[pos..line_end]).unwrap_or("");
                let size_text = size_text.split(';').next().unwrap_or("").trim();
                let size = usize::from_str_radix(size_text, 16)
                    .map_err(|_| Exchange::Other(anyhow!("bad chunk size {size_text:?}")))?;
                let need = line_end + 2 + size + 2;
                while self.buf.len() < need {
                    if read_more(stream, &mut self.buf).await.map_err(Exchange::Io)? == 0 {
                        return Err(Exchange::Other(anyhow!("connection closed inside a chunk")));
                    }
                }
                body.extend_from_slice(&self.buf[line_end + 2..line_end + 2 + size]);
                pos = need;
                if size == 0 {
                    break;
                }
            }
            self.buf.drain(..pos);
            body
        } else if let Some(length) = length {
            while self.buf.len() < head_end + length {
                if read_more(stream, &mut self.buf).await.map_err(Exchange::Io)? == 0 {
                    return Err(Exchange::Other(anyhow!("connection closed inside a body")));
                }
            }
            let body = self.buf[head_end..head_end + length].to_vec();
            self.buf.drain(..head_end + length);
            body
        } else if status == 204 || status == 304 {
            self.buf.drain(..head_end);
            Vec::new()
        } else {
            while read_more(stream, &mut self.buf).await.map_err(Exchange::Io)? > 0 {}
            let body = self.buf[head_end..].to_vec();
            self.buf.clear();
            self.stream = None;
            body
        };
        if close {
            self.stream = None;
            self.buf.clear();
        }
        Ok(Resp { status, body })
    }
}

enum Exchange {
    ClosedBeforeAnswer,
    Io(std::io::Error),
    Other(anyhow::Error),
}

impl Exchange {
    fn into_error(self) -> anyhow::Error {
        match self {
            Exchange::ClosedBeforeAnswer => anyhow!("connection closed before an answer"),
            Exchange::Io(e) => e.into(),
            Exchange::Other(e) => e,
        }
    }
}

/// `fmt::Write` into a byte buffer.
struct Wr<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Wr<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

async fn write_all(stream: &TcpStream, mut data: &[u8]) -> std::io::Result<()> {
    while !data.is_empty() {
        stream.writable().await?;
        match stream.try_write(data) {
            Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
            Ok(n) => data = &data[n..],
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

async fn read_more(stream: &TcpStream, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    const STEP: usize = 64 * 1024;
    loop {
        stream.readable().await?;
        let len = buf.len();
        buf.resize(len + STEP, 0);
        match stream.try_read(&mut buf[len..]) {
            Ok(n) => {
                buf.truncate(len + n);
                return Ok(n);
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => buf.truncate(len),
            Err(e) => {
                buf.truncate(len);
                return Err(e);
            }
        }
    }
}

fn expect_ok(resp: Resp, what: &str) -> Result<Resp> {
    if resp.status != 200 {
        bail!("{what}: HTTP {} {}", resp.status, resp.text());
    }
    Ok(resp)
}

// ---------------------------------------------------------------------------------------------
// The two servers.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ours,
    Firebase,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Ours => "descope-emulator",
            Kind::Firebase => "firebase",
        }
    }
}

/// What a worker needs to talk to one server.
struct Target {
    kind: Kind,
    addr: SocketAddr,
    /// Ours: the project ID (the bearer of auth calls).
    project: String,
    /// Ours: `PROJECT:KEY`, the bearer of management calls.
    mgmt: String,
    /// W4: the login IDs / emails that have a password.
    signin_users: Vec<String>,
    /// W6: one refresh token per sign-in user.
    refresh_tokens: Vec<String>,
}

struct Server {
    kind: Kind,
    child: Child,
    addr: SocketAddr,
    cold_start: Duration,
}

impl Server {
    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn rss_mib(&self) -> f64 {
        tree_rss_kib(self.pid()) as f64 / 1024.0
    }

    /// SIGINT (Firebase writes its state down on it), then SIGKILL after a grace period.
    fn stop(mut self) {
        let pgid = format!("-{}", self.pid());
        let signal = if self.kind == Kind::Firebase { "-INT" } else { "-TERM" };
        let _ = Command::new("kill").args([signal, "--", &pgid]).status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = Command::new("kill").args(["-KILL", "--", &pgid]).status();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    /// A server left running by an error or an interrupt is killed with its process group.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", self.pid())]).status();
            let _ = self.child.wait();
        }
    }
}

async fn start_ours(args: &Args, log: &Path) -> Result<Server> {
    let log_file = std::fs::File::create(log)?;
    let started = Instant::now();
    let mut child = Command::new(&args.emulator)
        .args(["--listen", "127.0.0.1:0", "--database", "sqlite::memory:", "--fixtures", ""])
        .env_remove("DESCOPE_EMULATOR_PASSWORD_HASH")
        .env_remove("DESCOPE_EMULATOR_KEY_POOL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log_file)
        .process_group(0)
        .spawn()
        .with_context(|| format!("cannot start {}", args.emulator.display()))?;
    let stdout = child.stdout.take().ok_or_else(|| anyhow!("no stdout"))?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        if let Some(Ok(line)) = lines.next() {
            let _ = tx.send(line);
        }
        for _ in lines {} // keep the pipe drained
    });
    let line = rx.recv_timeout(Duration::from_secs(30)).context("descope-emulator printed no address")?;
    let addr: SocketAddr = line
        .rsplit("http://")
        .next()
        .and_then(|a| a.trim().parse().ok())
        .ok_or_else(|| anyhow!("cannot read the address in {line:?}"))?;
    let cold_start = wait_healthy(addr, "/emulator/v1/health", started, Duration::from_micros(200)).await?;
    Ok(Server { kind: Kind::Ours, child, addr, cold_start })
}

async fn start_firebase(args: &Args, log: &Path) -> Result<Server> {
    let addr: SocketAddr = "127.0.0.1:19099".parse()?;
    if TcpStream::connect(addr).await.is_ok() {
        bail!("something already listens on {addr}: stop the Firebase emulator left running there");
    }
    let bin = args.firebase_dir.join("node_modules/.bin/firebase");
    if !bin.exists() {
        bail!("{} is missing: run `npm ci` in {}", bin.display(), args.firebase_dir.display());
    }
    let log_file = std::fs::File::create(log)?;
    let started = Instant::now();
    let child = Command::new(Path::new("node_modules/.bin/firebase"))
        .args(["emulators:start", "--only", "auth", "--project", FIREBASE_PROJECT])
        .current_dir(&args.firebase_dir)
        .env("CI", "1")
        .env("NO_UPDATE_NOTIFIER", "1")
        .stdin(Stdio::null())
        .stdout(log_file.try_clone()?)
        .stderr(log_file)
        .process_group(0)
        .spawn()
        .context("cannot start the Firebase emulator")?;
    let mut server = Server { kind: Kind::Firebase, child, addr, cold_start: Duration::ZERO };
    match wait_healthy(addr, "/", started, Duration::from_millis(5)).await {
        Ok(t) => {
            server.cold_start = t;
            Ok(server)
        }
        Err(e) => {
            server.stop();
            Err(e)
        }
    }
}

/// Polls `path` until it answers 200; the time since `started`.
async fn wait_healthy(addr: SocketAddr, path: &str, started: Instant, poll: Duration) -> Result<Duration> {
    let deadline = started + Duration::from_secs(180);
    let mut conn = Conn::new(addr);
    loop {
        if let Ok(resp) = conn.get(path).await {
            if resp.status == 200 {
                return Ok(started.elapsed());
            }
        }
        if Instant::now() > deadline {
            bail!("{addr}{path} did not answer 200 within 180 s");
        }
        conn.stream = None;
        tokio::time::sleep(poll).await;
    }
}

/// Resident memory of a process and all its descendants, in KiB.
fn tree_rss_kib(root: u32) -> u64 {
    let mut parents = BTreeMap::new();
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for entry in dir.flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
            // pid (comm) state ppid ...: comm may hold spaces, so split after the last ')'.
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse::<u32>().ok());
            if let Some(ppid) = ppid {
                parents.insert(pid, ppid);
            }
        }
    }
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let p = tree[i];
        tree.extend(parents.iter().filter(|(_, &pp)| pp == p).map(|(&c, _)| c));
        i += 1;
    }
    tree.iter()
        .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/status")).ok())
        .filter_map(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        })
        .sum()
}

// ---------------------------------------------------------------------------------------------
// Workloads.

#[derive(Debug, Clone, Copy)]
enum Op {
    /// W3: one admin create-user; `i` numbers the user.
    CreateUser,
    /// W4: one password sign-in.
    SignIn,
    /// W5: send an SMS code, read it, verify it.
    OtpFlow,
    /// W5 setup: one unused code for a phone number nobody verifies.
    PendingCode,
    /// W6: one refresh.
    Refresh,
}

fn user_email(i: u64) -> String {
    format!("user{i}@bench.test")
}

fn signin_email(i: usize) -> String {
    format!("signin{i}@bench.test")
}

fn otp_phone(worker: usize) -> String {
    format!("+1555100{worker:04}")
}

fn pending_phone(i: u64) -> String {
    format!("+1555200{i:04}")
}

async fn step(t: &Target, op: Op, conn: &mut Conn, worker: usize, i: u64) -> Result<()> {
    match (t.kind, op) {
        (Kind::Ours, Op::CreateUser) => {
            let email = user_email(i);
            let r = conn
                .post("/v1/mgmt/user/create", Some(&t.mgmt), &json!({"loginId": email, "email": email}))
                .await?;
            expect_ok(r, "create user")?;
        }
        (Kind::Firebase, Op::CreateUser) => {
            let path = format!("/identitytoolkit.googleapis.com/v1/projects/{FIREBASE_PROJECT}/accounts");
            let r = conn.post(&path, Some("owner"), &json!({"email": user_email(i)})).await?;
            expect_ok(r, "create user")?;
        }
        (Kind::Ours, Op::SignIn) => {
            let user = &t.signin_users[i as usize % t.signin_users.len()];
            let r = conn
                .post(
                    "/v1/auth/password/signin",
                    Some(&t.project),
                    &json!({"loginId": user, "password": PASSWORD}),
                )
                .await?;
            expect_ok(r, "password sign-in")?;
        }
        (Kind::Firebase, Op::SignIn) => {
            let user = &t.signin_users[i as usize % t.signin_users.len()];
            let path =
                format!("/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key={FIREBASE_KEY}");
            let r = conn
                .post(&path, None, &json!({"email": user, "password": PASSWORD, "returnSecureToken": true}))
                .await?;
            expect_ok(r, "password sign-in")?;
        }
        (Kind::Ours, Op::Refresh) => {
            let token = &t.refresh_tokens[i as usize % t.refresh_tokens.len()];
            let bearer = format!("{}:{token}", t.project);
            let r = conn.post("/v1/auth/refresh", Some(&bearer), &json!({})).await?;
            expect_ok(r, "refresh")?;
        }
        (Kind::Firebase, Op::Refresh) => {
            let token = &t.refresh_tokens[i as usize % t.refresh_tokens.len()];
            let path = format!("/securetoken.googleapis.com/v1/token?key={FIREBASE_KEY}");
            let r = conn
                .post(&path, None, &json!({"grant_type": "refresh_token", "refresh_token": token}))
                .await?;
            expect_ok(r, "refresh")?;
        }
        (Kind::Ours, Op::OtpFlow) => {
            let phone = otp_phone(worker);
            let r =
                conn.post("/v1/auth/otp/signin/sms", Some(&t.project), &json!({"loginId": phone})).await?;
            expect_ok(r, "otp send")?;
            let path = format!(
                "/emulator/v1/projects/{}/outbox/latest?loginId={}",
                t.project,
                phone.replace('+', "%2B")
            );
            let message = expect_ok(conn.get(&path).await?, "outbox read")?.json()?;
            let code = message["code"].as_str().ok_or_else(|| anyhow!("no code in {message}"))?;
            let r = conn
                .post("/v1/auth/otp/verify/sms", Some(&t.project), &json!({"loginId": phone, "code": code}))
                .await?;
            expect_ok(r, "otp verify")?;
        }
        (Kind::Firebase, Op::OtpFlow) => {
            let phone = otp_phone(worker);
            let path = format!(
                "/identitytoolkit.googleapis.com/v1/accounts:sendVerificationCode?key={FIREBASE_KEY}"
            );
            let sent = expect_ok(conn.post(&path, None, &json!({"phoneNumber": phone})).await?, "otp send")?
                .json()?;
            let session = sent["sessionInfo"].as_str().ok_or_else(|| anyhow!("no sessionInfo in {sent}"))?;
            let path = format!("/emulator/v1/projects/{FIREBASE_PROJECT}/verificationCodes");
            let codes = expect_ok(conn.get(&path).await?, "verification codes read")?;
            let code = firebase_code(&codes.body, session)?;
            let path = format!(
                "/identitytoolkit.googleapis.com/v1/accounts:signInWithPhoneNumber?key={FIREBASE_KEY}"
            );
            let r = conn.post(&path, None, &json!({"sessionInfo": session, "code": code})).await?;
            expect_ok(r, "otp verify")?;
        }
        (Kind::Ours, Op::PendingCode) => {
            let r = conn
                .post("/v1/auth/otp/signup-in/sms", Some(&t.project), &json!({"loginId": pending_phone(i)}))
                .await?;
            expect_ok(r, "otp send")?;
        }
        (Kind::Firebase, Op::PendingCode) => {
            let path = format!(
                "/identitytoolkit.googleapis.com/v1/accounts:sendVerificationCode?key={FIREBASE_KEY}"
            );
            let r = conn.post(&path, None, &json!({"phoneNumber": pending_phone(i)})).await?;
            expect_ok(r, "otp send")?;
        }
    }
    Ok(())
}

/// The code of one session in Firebase's `verificationCodes` list, which holds every pending
/// code of the project: found by a substring search rather than parsing the whole list, so
/// the client's cost stays small as the list grows.
fn firebase_code(body: &[u8], session: &str) -> Result<String> {
    let text = std::str::from_utf8(body)?;
    let at = text.find(session).ok_or_else(|| anyhow!("session not in the verification codes"))?;
    let start = text[..at].rfind('{').ok_or_else(|| anyhow!("malformed verification codes"))?;
    let end =
        text[at..].find('}').map(|e| at + e + 1).ok_or_else(|| anyhow!("malformed verification codes"))?;
    let entry: Value = serde_json::from_str(&text[start..end])?;
    entry["code"].as_str().map(str::to_owned).ok_or_else(|| anyhow!("no code in {entry}"))
}

enum Stop {
    /// Exactly this many operations in all, numbered from `first`.
    Count { first: u64, count: u64 },
    /// Until the time is up.
    For(Duration),
}

struct Load {
    ops: u64,
    elapsed: Duration,
    /// Per-operation latencies in microseconds, sorted.
    latencies: Vec<u32>,
}

impl Load {
    fn per_sec(&self) -> f64 {
        self.ops as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile_ms(&self, p: f64) -> f64 {
        percentile(&self.latencies, p) as f64 / 1000.0
    }
}

fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Runs `op` from `concurrency` workers, each on its own kept-alive connection.
async fn drive(t: &Arc<Target>, op: Op, concurrency: usize, stop: Stop) -> Result<Load> {
    let counter = Arc::new(AtomicU64::new(0));
    let (first, count, deadline) = match stop {
        Stop::Count { first, count } => (first, Some(count), None),
        Stop::For(d) => (0, None, Some(Instant::now() + d)),
    };
    // Connect first, so connection set-up is not timed.
    let mut conns = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let mut conn = Conn::new(t.addr);
        conn.connect().await?;
        conns.push(conn);
    }
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(concurrency);
    for (worker, mut conn) in conns.into_iter().enumerate() {
        let t = Arc::clone(t);
        let counter = Arc::clone(&counter);
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(4096);
            loop {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                if let Some(count) = count {
                    if n >= count {
                        break;
                    }
                }
                if let Some(deadline) = deadline {
                    if Instant::now() >= deadline {
                        break;
                    }
                }
                let began = Instant::now();
                step(&t, op, &mut conn, worker, first + n).await?;
                latencies.push(began.elapsed().as_micros().min(u32::MAX as u128) as u32);
            }
            Ok::<_, anyhow::Error>(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    Ok(Load { ops: latencies.len() as u64, elapsed, latencies })
}

// ---------------------------------------------------------------------------------------------
// Setup of each server's state.

async fn prepare(kind: Kind, addr: SocketAddr) -> Result<Target> {
    let mut t = Target {
        kind,
        addr,
        project: String::new(),
        mgmt: String::new(),
        signin_users: Vec::new(),
        refresh_tokens: Vec::new(),
    };
    if kind == Kind::Ours {
        let mut conn = Conn::new(addr);
        let p =
            expect_ok(conn.post("/emulator/v1/projects", None, &json!({"name": "bench"})).await?, "project")?
                .json()?;
        t.project = p["projectId"].as_str().ok_or_else(|| anyhow!("no projectId"))?.to_owned();
        t.mgmt = format!("{}:{}", t.project, p["managementKey"].as_str().ok_or_else(|| anyhow!("no key"))?);
    }
    Ok(t)
}

/// Users with a password for W4, each signed in once for a refresh token (W6); for ours, checks
/// that a sign-in returns two RS256 JWTs. Also the users W5 signs in by SMS.
async fn prepare_signin(t: &mut Target, n: usize) -> Result<bool> {
    let mut conn = Conn::new(t.addr);
    let mut rs256 = true;
    for i in 0..n {
        let email = signin_email(i);
        let token = match t.kind {
            Kind::Ours => {
                let body = json!({"loginId": email, "password": PASSWORD, "user": {"email": email}});
                expect_ok(conn.post("/v1/auth/password/signup", Some(&t.project), &body).await?, "signup")?;
                let body = json!({"loginId": email, "password": PASSWORD});
                let r = expect_ok(
                    conn.post("/v1/auth/password/signin", Some(&t.project), &body).await?,
                    "signin",
                )?
                .json()?;
                for field in ["sessionJwt", "refreshJwt"] {
                    rs256 &= r[field].as_str().map(jwt_alg).as_deref() == Some("RS256");
                }
                r["refreshJwt"]
                    .as_str()
                    .ok_or_else(|| anyhow!("no refreshJwt (is it in a cookie?)"))?
                    .to_owned()
            }
            Kind::Firebase => {
                let path = format!("/identitytoolkit.googleapis.com/v1/projects/{FIREBASE_PROJECT}/accounts");
                let body = json!({"email": email, "password": PASSWORD});
                expect_ok(conn.post(&path, Some("owner"), &body).await?, "create user")?;
                let path = format!(
                    "/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key={FIREBASE_KEY}"
                );
                let body = json!({"email": email, "password": PASSWORD, "returnSecureToken": true});
                let r = expect_ok(conn.post(&path, None, &body).await?, "signin")?.json()?;
                r["refreshToken"].as_str().ok_or_else(|| anyhow!("no refreshToken"))?.to_owned()
            }
        };
        t.signin_users.push(email);
        t.refresh_tokens.push(token);
    }
    if t.kind == Kind::Ours {
        // Descope's OTP sign-in needs an existing user; Firebase creates it on the first verify
        // (the warm-up round).
        for w in 0..OTP_CONCURRENCY {
            let phone = otp_phone(w);
            let body = json!({"loginId": phone, "phone": phone, "verifiedPhone": true});
            expect_ok(conn.post("/v1/mgmt/user/create", Some(&t.mgmt), &body).await?, "create phone user")?;
        }
    }
    Ok(rs256)
}

fn jwt_alg(jwt: &str) -> String {
    let header = jwt.split('.').next().unwrap_or("");
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .ok()
        .and_then(|h| serde_json::from_slice::<Value>(&h).ok())
        .and_then(|h| h["alg"].as_str().map(str::to_owned))
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// One run.

/// Figures of one server in one run; `None` where not measured.
type Figures = BTreeMap<&'static str, f64>;

struct Sizes {
    users: u64,
    pending: u64,
    signin_users: usize,
    timed: Duration,
    warmup: Duration,
    paced: usize,
    burst: usize,
}

struct RunOut {
    ours: Figures,
    firebase: Option<Figures>,
    rs256: bool,
}

async fn one_run(args: &Args, sizes: &Sizes, run: usize) -> Result<RunOut> {
    // Alternate who goes first in every step.
    let order: Vec<Kind> = if args.no_firebase {
        vec![Kind::Ours]
    } else if run % 2 == 0 {
        vec![Kind::Ours, Kind::Firebase]
    } else {
        vec![Kind::Firebase, Kind::Ours]
    };
    let mut figs: BTreeMap<&'static str, Figures> = BTreeMap::new();
    let mut servers = Vec::new();
    let result = async {
        // W1
        for &kind in &order {
            let log = args.log_dir.join(format!("{}-run{run}.log", kind.name()));
            let server = match kind {
                Kind::Ours => start_ours(args, &log).await?,
                Kind::Firebase => start_firebase(args, &log).await?,
            };
            figs.entry(kind.name()).or_default().insert("w1_cold_ms", server.cold_start.as_secs_f64() * 1e3);
            println!(
                "  {:<17} W1 cold start {:>10.1} ms",
                kind.name(),
                server.cold_start.as_secs_f64() * 1e3
            );
            servers.push(server);
        }
        // W2 idle
        tokio::time::sleep(Duration::from_secs(1)).await;
        for s in &servers {
            figs.entry(s.kind.name()).or_default().insert("w2_idle_mib", s.rss_mib());
        }
        let mut targets = BTreeMap::new();
        for s in &servers {
            targets.insert(s.kind.name(), prepare(s.kind, s.addr).await?);
        }
        let mut rs256 = true;
        // W3, then W2 at 10k users.
        for s in &servers {
            let t = Arc::new(targets.remove(s.kind.name()).ok_or_else(|| anyhow!("no target"))?);
            let load =
                drive(&t, Op::CreateUser, CONCURRENCY, Stop::Count { first: 0, count: sizes.users }).await?;
            let f = figs.entry(s.kind.name()).or_default();
            f.insert("w3_create_per_s", load.per_sec());
            println!("  {:<17} W3 create users {:>8.0} /s", s.kind.name(), load.per_sec());
            let mut t = Arc::try_unwrap(t).map_err(|_| anyhow!("target still shared"))?;
            rs256 &= prepare_signin(&mut t, sizes.signin_users).await?;
            targets.insert(s.kind.name(), t);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        for s in &servers {
            figs.entry(s.kind.name()).or_default().insert("w2_users_mib", s.rss_mib());
        }
        let targets: BTreeMap<&str, Arc<Target>> =
            targets.into_iter().map(|(k, v)| (k, Arc::new(v))).collect();
        let target = |k: Kind| targets.get(k.name()).cloned().ok_or_else(|| anyhow!("no target"));
        // W4, W5, W6: each server in turn, warm-up then timed.
        let timed = [
            ("w4_signin", Op::SignIn, CONCURRENCY),
            ("w5_otp", Op::OtpFlow, OTP_CONCURRENCY),
            ("w6_refresh", Op::Refresh, CONCURRENCY),
        ];
        let wanted = |w: &str| args.only.is_empty() || args.only.iter().any(|o| o == w);
        for (name, op, conc) in timed {
            if !wanted(&name[..2]) {
                continue;
            }
            for s in &servers {
                let t = target(s.kind)?;
                drive(&t, op, conc, Stop::For(sizes.warmup)).await?;
                let load = drive(&t, op, conc, Stop::For(sizes.timed)).await?;
                record(figs.entry(s.kind.name()).or_default(), name, &load);
                println!(
                    "  {:<17} {name:<10} {:>8.0} /s  p50 {:>7.2} ms  p99 {:>7.2} ms",
                    s.kind.name(),
                    load.per_sec(),
                    load.percentile_ms(50.0),
                    load.percentile_ms(99.0)
                );
            }
            if name == "w5_otp" {
                // W5 again with unused codes pending.
                for s in &servers {
                    let t = target(s.kind)?;
                    drive(&t, Op::PendingCode, CONCURRENCY, Stop::Count { first: 0, count: sizes.pending })
                        .await?;
                    drive(&t, Op::OtpFlow, OTP_CONCURRENCY, Stop::For(sizes.warmup)).await?;
                    let load = drive(&t, Op::OtpFlow, OTP_CONCURRENCY, Stop::For(sizes.timed)).await?;
                    record(figs.entry(s.kind.name()).or_default(), "w5_otp_pending", &load);
                    println!(
                        "  {:<17} {:<10} {:>8.0} /s  p50 {:>7.2} ms  p99 {:>7.2} ms",
                        s.kind.name(),
                        "w5+pending",
                        load.per_sec(),
                        load.percentile_ms(50.0),
                        load.percentile_ms(99.0)
                    );
                }
            }
        }
        // W7
        for s in servers.iter().filter(|_| wanted("w7")) {
            let t = target(s.kind)?;
            let mut conn = Conn::new(s.addr);
            conn.connect().await?;
            let began = Instant::now();
            let r = match s.kind {
                Kind::Ours => {
                    let path = format!("/emulator/v1/projects/{}/reset", t.project);
                    conn.request("POST", &path, None, b"").await?
                }
                Kind::Firebase => {
                    let path = format!("/emulator/v1/projects/{FIREBASE_PROJECT}/accounts");
                    conn.request("DELETE", &path, None, b"").await?
                }
            };
            let ms = began.elapsed().as_secs_f64() * 1e3;
            expect_ok(r, "reset")?;
            figs.entry(s.kind.name()).or_default().insert("w7_reset_ms", ms);
            println!("  {:<17} W7 reset {:>14.2} ms", s.kind.name(), ms);
        }
        // Project creation, ours only.
        if let Some(s) = servers.iter().find(|s| s.kind == Kind::Ours && wanted("p")) {
            let f = figs.entry(s.kind.name()).or_default();
            let paced = create_projects_paced(s.addr, sizes.paced).await?;
            f.insert("p_paced_p50_ms", percentile(&paced, 50.0) as f64 / 1e3);
            f.insert("p_paced_p99_ms", percentile(&paced, 99.0) as f64 / 1e3);
            tokio::time::sleep(Duration::from_secs(2)).await; // let the key pool refill
            let burst = create_projects_burst(s.addr, sizes.burst).await?;
            f.insert("p_burst_p50_ms", percentile(&burst, 50.0) as f64 / 1e3);
            f.insert("p_burst_p99_ms", percentile(&burst, 99.0) as f64 / 1e3);
            println!(
                "  {:<17} projects 10/s p50 {:.2} ms p99 {:.2} ms; burst p50 {:.2} ms p99 {:.2} ms",
                s.kind.name(),
                percentile(&paced, 50.0) as f64 / 1e3,
                percentile(&paced, 99.0) as f64 / 1e3,
                percentile(&burst, 50.0) as f64 / 1e3,
                percentile(&burst, 99.0) as f64 / 1e3
            );
        }
        Ok::<_, anyhow::Error>(rs256)
    }
    .await;
    for s in servers {
        s.stop();
    }
    let rs256 = result?;
    Ok(RunOut {
        ours: figs.remove(Kind::Ours.name()).unwrap_or_default(),
        firebase: figs.remove(Kind::Firebase.name()),
        rs256,
    })
}

fn record(f: &mut Figures, name: &'static str, load: &Load) {
    let (rate, p50, p99): (&'static str, &'static str, &'static str) = match name {
        "w4_signin" => ("w4_signin_per_s", "w4_signin_p50_ms", "w4_signin_p99_ms"),
        "w5_otp" => ("w5_otp_per_s", "w5_otp_p50_ms", "w5_otp_p99_ms"),
        "w5_otp_pending" => ("w5_pending_per_s", "w5_pending_p50_ms", "w5_pending_p99_ms"),
        _ => ("w6_refresh_per_s", "w6_refresh_p50_ms", "w6_refresh_p99_ms"),
    };
    f.insert(rate, load.per_sec());
    f.insert(p50, load.percentile_ms(50.0));
    f.insert(p99, load.percentile_ms(99.0));
}

/// `n` project creations at 10 per second, one connection; latencies in µs, sorted.
async fn create_projects_paced(addr: SocketAddr, n: usize) -> Result<Vec<u32>> {
    let mut conn = Conn::new(addr);
    conn.connect().await?;
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        tick.tick().await;
        let began = Instant::now();
        expect_ok(conn.post("/emulator/v1/projects", None, &json!({})).await?, "project")?;
        out.push(began.elapsed().as_micros() as u32);
    }
    out.sort_unstable();
    Ok(out)
}

/// `n` project creations sent at once, each on its own (already open) connection.
async fn create_projects_burst(addr: SocketAddr, n: usize) -> Result<Vec<u32>> {
    let mut conns = Vec::with_capacity(n);
    for _ in 0..n {
        let mut conn = Conn::new(addr);
        conn.connect().await?;
        conns.push(conn);
    }
    let tasks: Vec<_> = conns
        .into_iter()
        .map(|mut conn| {
            tokio::spawn(async move {
                let began = Instant::now();
                expect_ok(conn.post("/emulator/v1/projects", None, &json!({})).await?, "project")?;
                Ok::<_, anyhow::Error>(began.elapsed().as_micros() as u32)
            })
        })
        .collect();
    let mut out = Vec::with_capacity(n);
    for task in tasks {
        out.push(task.await??);
    }
    out.sort_unstable();
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Report.

struct Summary {
    median: f64,
    min: f64,
    max: f64,
}

fn summarize(values: &[f64]) -> Option<Summary> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let median = if v.len() % 2 == 1 { v[v.len() / 2] } else { (v[v.len() / 2 - 1] + v[v.len() / 2]) / 2.0 };
    Some(Summary { median, min: v[0], max: v[v.len() - 1] })
}

fn fmt_num(x: f64) -> String {
    if x >= 1000.0 {
        format!("{x:.0}")
    } else if x >= 100.0 {
        format!("{x:.1}")
    } else if x >= 10.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    }
}

fn fmt_summary(s: &Option<Summary>) -> String {
    match s {
        Some(s) => format!("{} ({}–{})", fmt_num(s.median), fmt_num(s.min), fmt_num(s.max)),
        None => "—".into(),
    }
}

#[derive(Clone, Copy)]
enum Better {
    Higher,
    Lower,
}

/// One row of the table: a figure, how the ratio to Firebase reads, and the target.
struct Row {
    workload: &'static str,
    key: &'static str,
    label: &'static str,
    unit: &'static str,
    better: Better,
    /// The target, in words, and whether the medians meet it.
    target: Option<(&'static str, Goal)>,
}

#[derive(Clone, Copy)]
enum Goal {
    /// Ours at most this.
    AtMost(f64),
    /// Ratio to Firebase (in the better direction) at least this.
    RatioAtLeast(f64),
    /// Ours at most `.0` and ratio at least `.1`.
    Both(f64, f64),
    /// This figure of ours over another of ours at least this.
    SelfRatio(&'static str, f64),
}

fn rows() -> Vec<Row> {
    use Better::*;
    use Goal::*;
    vec![
        Row {
            workload: "W1",
            key: "w1_cold_ms",
            label: "cold start",
            unit: "ms",
            better: Lower,
            target: Some(("≤ 20 ms, ≥ 200× faster", Both(20.0, 200.0))),
        },
        Row {
            workload: "W2",
            key: "w2_idle_mib",
            label: "RSS idle",
            unit: "MiB",
            better: Lower,
            target: Some(("≤ 20 MiB", AtMost(20.0))),
        },
        Row {
            workload: "W2",
            key: "w2_users_mib",
            label: "RSS with 10k users",
            unit: "MiB",
            better: Lower,
            target: Some(("≤ 64 MiB", AtMost(64.0))),
        },
        Row {
            workload: "W3",
            key: "w3_create_per_s",
            label: "create user",
            unit: "/s",
            better: Higher,
            target: Some(("≥ 2×", RatioAtLeast(2.0))),
        },
        Row {
            workload: "W4",
            key: "w4_signin_per_s",
            label: "password sign-in",
            unit: "/s",
            better: Higher,
            target: Some(("≥ 2×", RatioAtLeast(2.0))),
        },
        Row {
            workload: "W4",
            key: "w4_signin_p50_ms",
            label: "sign-in p50",
            unit: "ms",
            better: Lower,
            target: None,
        },
        Row {
            workload: "W4",
            key: "w4_signin_p99_ms",
            label: "sign-in p99",
            unit: "ms",
            better: Lower,
            target: None,
        },
        Row {
            workload: "W5",
            key: "w5_otp_per_s",
            label: "SMS OTP flow",
            unit: "flows/s",
            better: Higher,
            target: Some(("≥ 2×", RatioAtLeast(2.0))),
        },
        Row {
            workload: "W5",
            key: "w5_otp_p50_ms",
            label: "flow p50",
            unit: "ms",
            better: Lower,
            target: None,
        },
        Row {
            workload: "W5",
            key: "w5_otp_p99_ms",
            label: "flow p99",
            unit: "ms",
            better: Lower,
            target: None,
        },
        Row {
            workload: "W5",
            key: "w5_pending_per_s",
            label: "flow, 2,000 codes pending",
            unit: "flows/s",
            better: Higher,
            target: Some(("≥ 0.9× of ours without", SelfRatio("w5_otp_per_s", 0.9))),
        },
        Row {
            workload: "W5",
            key: "w5_pending_p50_ms",
            label: "flow p50, pending",
            unit: "ms",
            better: Lower,
            target: None,
        },
        Row {
            workload: "W5",
            key: "w5_pending_p99_ms",
            label: "flow p99, pending",
            unit: "ms",
            better: Lower,
            target: None,
        },
        Row {
            workload: "W6",
            key: "w6_refresh_per_s",
            label: "refresh",
            unit: "/s",
            better: Higher,
            target: Some(("≥ 2.5×", RatioAtLeast(2.5))),
        },
        Row {
            workload: "W6",
            key: "w6_refresh_p50_ms",
            label: "refresh p50",
            unit: "ms",
            better: Lower,
            target: None,
        },
        Row {
            workload: "W6",
            key: "w6_refresh_p99_ms",
            label: "refresh p99",
            unit: "ms",
            better: Lower,
            target: None,
        },
        Row {
            workload: "W7",
            key: "w7_reset_ms",
            label: "reset, 10k users",
            unit: "ms",
            better: Lower,
            target: Some(("≤ 2 ms", AtMost(2.0))),
        },
        Row {
            workload: "P",
            key: "p_paced_p50_ms",
            label: "create project at 10/s, p50",
            unit: "ms",
            better: Lower,
            target: Some(("≤ 2 ms", AtMost(2.0))),
        },
        Row {
            workload: "P",
            key: "p_paced_p99_ms",
            label: "create project at 10/s, p99",
            unit: "ms",
            better: Lower,
            target: None,
        },
        Row {
            workload: "P",
            key: "p_burst_p50_ms",
            label: "create project, burst of 100, p50",
            unit: "ms",
            better: Lower,
            target: Some(("≤ 2 ms", AtMost(2.0))),
        },
        Row {
            workload: "P",
            key: "p_burst_p99_ms",
            label: "create project, burst of 100, p99",
            unit: "ms",
            better: Lower,
            target: None,
        },
    ]
}

/// Ratio in the better direction (> 1 means ours is better).
fn ratio(better: Better, ours: f64, fb: f64) -> f64 {
    match better {
        Better::Higher => ours / fb,
        Better::Lower => fb / ours,
    }
}

struct Outcome {
    runs: Vec<RunOut>,
    args: Args,
    sizes: Sizes,
}

fn column(runs: &[RunOut], key: &str, firebase: bool) -> Vec<f64> {
    runs.iter()
        .filter_map(|r| if firebase { r.firebase.as_ref() } else { Some(&r.ours) })
        .filter_map(|f| f.get(key).copied())
        .collect()
}

fn report(cx: &Outcome) -> String {
    let runs = &cx.runs;
    let mut table = String::new();
    let _ = writeln!(
        table,
        "| | figure | descope-emulator | Firebase Auth Emulator | ours vs Firebase | target | met |"
    );
    let _ = writeln!(table, "|---|---|---:|---:|---:|---|---|");
    for row in rows() {
        let ours = column(runs, row.key, false);
        let fb = column(runs, row.key, true);
        let ratios: Vec<f64> = runs
            .iter()
            .filter_map(|r| {
                let o = r.ours.get(row.key)?;
                let f = r.firebase.as_ref()?.get(row.key)?;
                Some(ratio(row.better, *o, *f))
            })
            .collect();
        let so = summarize(&ours);
        let sf = summarize(&fb);
        let sr = summarize(&ratios);
        let ratio_text = match (&sr, row.better) {
            (Some(_), Better::Higher) => format!("{} ×", fmt_summary(&sr)),
            (Some(_), Better::Lower) if row.unit == "MiB" => format!("{} × less", fmt_summary(&sr)),
            (Some(_), Better::Lower) => format!("{} × faster", fmt_summary(&sr)),
            (None, _) => "—".into(),
        };
        let fb_text = if row.workload == "P" {
            "(ours only)".into()
        } else if cx.args.no_firebase {
            "not measured".into()
        } else {
            fmt_summary(&sf)
        };
        let (target_text, met) = match row.target {
            None => (String::new(), String::new()),
            Some((text, t)) => {
                let met = match (t, &so) {
                    (_, None) => None,
                    (Goal::AtMost(x), Some(o)) => Some(o.median <= x),
                    (Goal::RatioAtLeast(x), _) => sr.as_ref().map(|r| r.median >= x),
                    (Goal::Both(a, b), Some(o)) => match &sr {
                        Some(r) => Some(o.median <= a && r.median >= b),
                        None => Some(o.median <= a).filter(|m| !m),
                    },
                    (Goal::SelfRatio(other, x), Some(o)) => {
                        summarize(&column(runs, other, false)).map(|base| o.median / base.median >= x)
                    }
                };
                let word = match met {
                    Some(true) => "met",
                    Some(false) => "**missed**",
                    None => "n/a",
                };
                (text.to_owned(), word.to_owned())
            }
        };
        let _ = writeln!(
            table,
            "| {} | {} ({}) | {} | {} | {} | {} | {} |",
            row.workload,
            row.label,
            row.unit,
            fmt_summary(&so),
            fb_text,
            ratio_text,
            target_text,
            met
        );
    }
    // W5 pending over W5 for each server.
    let self_ratio = |firebase: bool| {
        let v: Vec<f64> = runs
            .iter()
            .filter_map(|r| {
                let f = if firebase { r.firebase.as_ref()? } else { &r.ours };
                Some(f.get("w5_pending_per_s")? / f.get("w5_otp_per_s")?)
            })
            .collect();
        summarize(&v)
    };

    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!-- bench:begin (generated by `{}`; edits here are overwritten) -->",
        cx.args.command
    );
    let _ = writeln!(out, "### Results\n");
    let _ = writeln!(out, "Command: `{}`\n", cx.args.command);
    let _ = writeln!(out, "{}\n", machine_line(&cx.args));
    let _ = writeln!(
        out,
        "{} runs{}; each cell is the median with min–max in brackets; the ratio column is \
         the median (min–max) of the per-run ratios, > 1 meaning descope-emulator is better.\n",
        runs.len(),
        if cx.args.quick { " (**--quick smoke run: small sizes, not a measurement**)" } else { "" }
    );
    out.push_str(&table);
    let _ = writeln!(out);
    let ours_self = self_ratio(false);
    let fb_self = self_ratio(true);
    let _ = writeln!(
        out,
        "W5 with {} codes pending, as a fraction of W5 without: descope-emulator {}, Firebase {}.\n",
        cx.sizes.pending,
        fmt_summary(&ours_self),
        if cx.args.no_firebase { "not measured".into() } else { fmt_summary(&fb_self) }
    );
    let rs256 = runs.iter().all(|r| r.rs256);
    let _ = writeln!(
        out,
        "Sizes: W3 creates {} users (concurrency {CONCURRENCY}); W4 signs in {} users round-robin \
         (concurrency {CONCURRENCY}); W5 runs {OTP_CONCURRENCY} flows at once; W6 refreshes {} tokens \
         (concurrency {CONCURRENCY}); W4–W6 run {:.1} s each after {:.1} s of warm-up. Project \
         creation: {} requests at 10/s on one connection, then a burst of {} at once.\n",
        cx.sizes.users,
        cx.sizes.signin_users,
        cx.sizes.signin_users,
        cx.sizes.timed.as_secs_f64(),
        cx.sizes.warmup.as_secs_f64(),
        cx.sizes.paced,
        cx.sizes.burst
    );
    let _ = writeln!(
        out,
        "Password hash cost of descope-emulator: the default, `--password-hash fast` (argon2id, \
         m = 64 KiB, t = 1, p = 1). Every W4 sign-in returned {} (checked on the set-up sign-ins \
         of every run); Firebase's emulator stores passwords as plain `fakeHash:salt=…:password=…` \
         strings and issues unsigned (`alg: none`) tokens.\n",
        if rs256 { "two RS256 JWTs (session and refresh)" } else { "**not** two RS256 JWTs" }
    );
    if cx.args.no_firebase {
        let _ = writeln!(out, "Firebase not measured: {}.\n", cx.args.no_firebase_reason);
    }
    let _ = writeln!(out, "Per run (descope-emulator / Firebase):\n");
    let _ = writeln!(out, "```");
    for (i, r) in runs.iter().enumerate() {
        let mut line = format!("run {}:", i + 1);
        for row in rows().iter().filter(|r| r.target.is_some()) {
            let o = r.ours.get(row.key).map(|v| fmt_num(*v)).unwrap_or_else(|| "-".into());
            let f = r
                .firebase
                .as_ref()
                .and_then(|f| f.get(row.key))
                .map(|v| fmt_num(*v))
                .unwrap_or_else(|| "-".into());
            let _ = write!(line, " {}={o}/{f}", row.key);
        }
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "```");
    let _ = writeln!(out, "<!-- bench:end -->");
    out
}

fn machine_line(args: &Args) -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let cmd = |c: &str, a: &[&str]| {
        Command::new(c)
            .args(a)
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default()
    };
    let kernel = cmd("uname", &["-r"]);
    let node = cmd("node", &["--version"]);
    let commit = cmd("git", &["rev-parse", "--short", "HEAD"]);
    let dirty = if cmd("git", &["status", "--porcelain", "--untracked-files=no"]).is_empty() {
        ""
    } else {
        " + uncommitted changes"
    };
    let firebase = std::fs::read_to_string(args.firebase_dir.join("package.json"))
        .ok()
        .and_then(|p| serde_json::from_str::<Value>(&p).ok())
        .and_then(|p| p["dependencies"]["firebase-tools"].as_str().map(str::to_owned))
        .unwrap_or_default();
    let load = std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    format!(
        "Machine: {cpu}, {cores} cores, Linux {kernel}, load average {load} when the runs ended; descope-emulator {commit}{dirty} ({}); \
         firebase-tools {firebase} on Node {node}; measured {}.",
        args.emulator.display(),
        cmd("date", &["-u", "+%Y-%m-%d %H:%M UTC"])
    )
}

fn write_report(path: &Path, generated: &str) -> Result<()> {
    let existing = std::fs::read_to_string(path).unwrap_or_default();
    let begin = existing.find("<!-- bench:begin");
    let end = existing.find("<!-- bench:end -->");
    let text = match (begin, end) {
        (Some(b), Some(e)) if e > b => {
            let after = e + "<!-- bench:end -->".len();
            format!("{}{}{}", &existing[..b], generated.trim_end(), &existing[after..])
        }
        _ => format!("# Performance\n\n{generated}"),
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, text)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------

fn main() -> Result<()> {
    let args = Args::parse();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    rt.block_on(async {
        tokio::select! {
            result = run(args) => result,
            // Dropping the run kills the servers it started.
            _ = tokio::signal::ctrl_c() => bail!("interrupted"),
        }
    })
}

async fn run(args: Args) -> Result<()> {
    let sizes = if args.quick {
        Sizes {
            users: args.users.min(1000),
            pending: args.pending.min(200),
            signin_users: 16,
            timed: Duration::from_secs_f64(args.seconds.min(1.0)),
            warmup: Duration::from_millis(200),
            paced: 10,
            burst: 20,
        }
    } else {
        Sizes {
            users: args.users,
            pending: args.pending,
            signin_users: 100,
            timed: Duration::from_secs_f64(args.seconds),
            warmup: Duration::from_millis(500),
            paced: 50,
            burst: 100,
        }
    };
    if !args.emulator.exists() {
        bail!("{} is missing: run `cargo build --release` first", args.emulator.display());
    }
    std::fs::create_dir_all(&args.log_dir)?;
    let mut runs = Vec::new();
    for run in 0..args.runs {
        println!(
            "run {}/{} ({} first)",
            run + 1,
            args.runs,
            if run % 2 == 0 || args.no_firebase { "descope-emulator" } else { "firebase" }
        );
        runs.push(one_run(&args, &sizes, run).await?);
    }
    let cx = Outcome { runs, args, sizes };
    let generated = report(&cx);
    println!("\n{generated}");
    if let Some(path) = &cx.args.out {
        write_report(path, &generated)?;
        println!("wrote {}", path.display());
    }
    if let Some(path) = &cx.args.json {
        let raw: Vec<Value> = cx
            .runs
            .iter()
            .map(|r| json!({"descope-emulator": r.ours, "firebase": r.firebase, "rs256": r.rs256}))
            .collect();
        std::fs::write(path, serde_json::to_string_pretty(&raw)?)?;
    }
    Ok(())
}
