//! Black-box: the real binary, started as a user or harness would start it.

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_descope-emulator");
const DEFAULT_PROJECT: &str = "P2EMULATORDEFAULTPROJECT0001";

/// A folder of its own under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let dir =
            std::env::temp_dir().join(format!("descope-emulator-it-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running emulator process; killed on drop if a test fails half-way.
struct Server {
    child: Child,
    addr: String,
    _stdout: BufReader<ChildStdout>,
}

impl Server {
    fn start(db: &Path) -> Server {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut child = Command::new(BIN)
            .args(["--listen", "127.0.0.1:0", "--key-pool", "1"])
            .arg("--database")
            .arg(format!("sqlite://{}", db.display()))
            .arg("--fixtures")
            .arg(&fixtures)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let addr = line
            .trim_end()
            .strip_prefix("descope-emulator listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
            .to_owned();
        assert!(addr.starts_with("127.0.0.1:") && !addr.ends_with(":0"), "{addr}");
        Server { child, addr, _stdout: stdout }
    }

    fn request(&self, method: &str, path: &str, body: Option<&str>) -> (u16, String, Value) {
        http(&self.addr, method, path, body)
    }

    fn get(&self, path: &str) -> Value {
        let (status, _, body) = self.request("GET", path, None);
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    /// SIGTERM, then the exit status.
    fn terminate(mut self) -> std::process::ExitStatus {
        let ok = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(ok.success());
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request over a plain socket: status, raw head, JSON body.
fn http(addr: &str, method: &str, path: &str, body: Option<&str>) -> (u16, String, Value) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let body = body.unwrap_or("");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8(raw).unwrap();
    let (head, payload) = text.split_once("\r\n\r\n").unwrap();
    let status: u16 = head.split(' ').nth(1).unwrap().parse().unwrap();
    let chunked = head.to_ascii_lowercase().contains("transfer-encoding: chunked");
    let payload = if chunked { dechunk(payload) } else { payload.to_owned() };
    (status, head.to_owned(), serde_json::from_str(&payload).unwrap_or(Value::Null))
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap();
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        s = &rest[n + 2..];
    }
    out
}

fn kid(jwks: &Value) -> String {
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1, "{jwks}");
    keys[0]["kid"].as_str().unwrap().to_owned()
}

#[test]
fn starts_serves_stops_and_restarts_on_the_same_database() {
    let dir = TempDir::new("restart");
    let db = dir.0.join("db.sqlite");

    let server = Server::start(&db);
    let (status, head, health) = server.request("GET", "/emulator/v1/health", None);
    assert_eq!(status, 200, "{health}");
    assert_eq!(health["status"], "ok");
    assert_eq!(health["version"], env!("CARGO_PKG_VERSION"));
    assert!(head.to_ascii_lowercase().contains("x-descope-emulator:"), "{head}");

    let projects = server.get("/emulator/v1/projects");
    let ids: Vec<&str> =
        projects["projects"].as_array().unwrap().iter().map(|p| p["projectId"].as_str().unwrap()).collect();
    assert_eq!(ids, [DEFAULT_PROJECT]);
    let default_kid = kid(&server.get("/.well-known/jwks.json"));
    assert_eq!(kid(&server.get(&format!("/v2/keys/{DEFAULT_PROJECT}"))), default_kid);
    let discovery = server.get(&format!("/{DEFAULT_PROJECT}/.well-known/openid-configuration"));
    assert_eq!(discovery["issuer"], format!("http://{}/{DEFAULT_PROJECT}", server.addr).as_str());

    // A project made at run time, with a key from the pool, must survive the restart too.
    let (status, _, created) = server.request("POST", "/emulator/v1/projects", Some(r#"{"name":"kept"}"#));
    assert_eq!(status, 200, "{created}");
    let created_id = created["projectId"].as_str().unwrap().to_owned();
    let created_kid = kid(&server.get(&format!("/v2/keys/{created_id}")));

    let status = server.terminate();
    assert_eq!(status.code(), Some(0), "{status:?}");

    // Same database, same fixtures: loaded again without a duplicate error, keys unchanged.
    let server = Server::start(&db);
    assert_eq!(server.get("/emulator/v1/health")["status"], "ok");
    let projects = server.get("/emulator/v1/projects");
    let mut ids: Vec<&str> =
        projects["projects"].as_array().unwrap().iter().map(|p| p["projectId"].as_str().unwrap()).collect();
    ids.sort_unstable();
    let mut expected = vec![DEFAULT_PROJECT, created_id.as_str()];
    expected.sort_unstable();
    assert_eq!(ids, expected);
    assert_eq!(kid(&server.get("/.well-known/jwks.json")), default_kid);
    assert_eq!(kid(&server.get(&format!("/v2/keys/{created_id}"))), created_kid);
    let snap = server.get(&format!("/emulator/v1/projects/{DEFAULT_PROJECT}/snapshot"));
    assert_eq!(snap["managementKeys"].as_array().unwrap().len(), 1, "{snap}");
    assert_eq!(snap["signingKeys"].as_array().unwrap().len(), 1, "{snap}");

    // A long-poll in flight is answered at shutdown instead of holding it for 30 s.
    let addr = server.addr.clone();
    let poll = std::thread::spawn(move || {
        http(&addr, "GET", &format!("/emulator/v1/projects/{DEFAULT_PROJECT}/outbox?wait=30"), None)
    });
    std::thread::sleep(Duration::from_millis(300));
    let stopping = Instant::now();
    let status = server.terminate();
    assert_eq!(status.code(), Some(0), "{status:?}");
    assert!(stopping.elapsed() < Duration::from_secs(3), "shutdown took {:?}", stopping.elapsed());
    let (status, _, body) = poll.join().unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["messages"], serde_json::json!([]));
}

#[test]
fn help_names_every_documented_flag() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for flag in [
        "--listen",
        "--database",
        "--fixtures",
        "--public-url",
        "--cors-origins",
        "DESCOPE_EMULATOR_LISTEN",
        "DESCOPE_EMULATOR_DATABASE",
        "DESCOPE_EMULATOR_FIXTURES",
        "DESCOPE_EMULATOR_PUBLIC_URL",
        "DESCOPE_EMULATOR_CORS_ORIGINS",
        "127.0.0.1:4545",
        "sqlite://descope-emulator.db",
    ] {
        assert!(help.contains(flag), "--help does not mention {flag}:\n{help}");
    }
}

/// `--health-check` (the container healthcheck): exit 0 while an emulator answers on the
/// address, 1 when nothing does.
#[test]
fn health_check_flag_reports_whether_the_emulator_answers() {
    let dir = TempDir::new("health");
    let server = Server::start(&dir.0.join("h.db"));
    let status = Command::new(BIN).args(["--health-check", "--listen", &server.addr]).status().unwrap();
    assert!(status.success(), "{status:?}");
    drop(server);
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string();
    let status = Command::new(BIN).args(["--health-check", "--listen", &free]).status().unwrap();
    assert_eq!(status.code(), Some(1));
}

/// The resident memory of a process, in KiB.
#[cfg(target_os = "linux")]
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// An open connection costs a few KiB, also while it holds a long-poll: the router is not
/// rebuilt per connection (as `axum::serve` did, ~500 KiB each) and hyper's buffers stay
/// small. 200 waiters on `outbox?wait=30` must add well under 64 KiB each (about 20 KiB each
/// in a debug build).
#[cfg(target_os = "linux")]
#[test]
fn open_connections_and_long_polls_cost_a_few_kib_each() {
    const WAITERS: usize = 200;
    let dir = TempDir::new("memory");
    let server = Server::start(&dir.0.join("m.db"));
    let pid = server.child.id();
    // Warm up: the first requests allocate what every request shares.
    for _ in 0..3 {
        server.get("/emulator/v1/health");
        server.get(&format!("/emulator/v1/projects/{DEFAULT_PROJECT}/outbox"));
    }
    std::thread::sleep(Duration::from_millis(200));
    let before = rss_kib(pid);
    let request = format!(
        "GET /emulator/v1/projects/{DEFAULT_PROJECT}/outbox?wait=30 HTTP/1.1\r\nHost: {}\r\n\r\n",
        server.addr
    );
    let waiters: Vec<TcpStream> = (0..WAITERS)
        .map(|_| {
            let mut s = TcpStream::connect(&server.addr).unwrap();
            s.write_all(request.as_bytes()).unwrap();
            s
        })
        .collect();
    // Time for the server to accept them all and park their requests.
    std::thread::sleep(Duration::from_millis(500));
    server.get("/emulator/v1/health");
    let during = rss_kib(pid);
    let per_waiter = (during.saturating_sub(before)) / WAITERS as u64;
    assert!(per_waiter < 64, "{WAITERS} long-polls took {} KiB: {per_waiter} KiB each", during - before);
    drop(waiters);
}
