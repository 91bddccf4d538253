//! The HTTP connection over real sockets (`http::server`): keep-alive after answers given
//! before the body arrived, the body limit, and the Descope error body on the answers hyper
//! writes itself (malformed requests, oversized heads).

use serde_json::Value;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::harness::TestApp;

/// Serves a fresh app on a free loopback port, as `run` does, until the test ends.
async fn serve(max_body: usize) -> SocketAddr {
    let app = TestApp::new().await;
    let router = descope_emulator::app(app.state.clone(), max_body);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(descope_emulator::http::server::serve(listener, router, std::future::pending()));
    addr
}

/// One answer read off the socket.
#[derive(Debug)]
struct Answer {
    status: u16,
    /// The head with lower-case field names.
    head: String,
    body: Value,
}

impl Answer {
    /// A Descope error body with the emulator header.
    #[track_caller]
    fn assert_descope_error(&self, status: u16) {
        assert_eq!(self.status, status, "{self:?}");
        assert_eq!(self.body["errorCode"], "E011001", "{self:?}");
        assert!(self.body["errorDescription"].is_string(), "{self:?}");
        assert!(self.body["errorMessage"].is_string(), "{self:?}");
        assert!(self.head.contains("\r\ncontent-type: application/json"), "{self:?}");
        assert!(self.head.contains("\r\nx-descope-emulator: "), "{self:?}");
    }

    fn closes(&self) -> bool {
        self.head.contains("\r\nconnection: close")
    }
}

/// A raw HTTP/1.1 client connection.
struct Raw {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Raw {
    async fn connect(addr: SocketAddr) -> Raw {
        Raw { stream: TcpStream::connect(addr).await.unwrap(), buf: Vec::new() }
    }

    async fn send(&mut self, bytes: &[u8]) {
        if let Err(e) = self.stream.write_all(bytes).await {
            panic!("the server dropped the connection: {e}");
        }
    }

    async fn fill(&mut self) -> usize {
        let mut chunk = [0u8; 16 * 1024];
        match tokio::time::timeout(Duration::from_secs(5), self.stream.read(&mut chunk)).await {
            Ok(Ok(n)) => {
                self.buf.extend_from_slice(&chunk[..n]);
                n
            }
            Ok(Err(e)) => panic!("reading an answer: {e} (after {:?})", String::from_utf8_lossy(&self.buf)),
            Err(_) => panic!("no answer within 5 s (got {:?})", String::from_utf8_lossy(&self.buf)),
        }
    }

    /// Reads one answer (a `content-length` body).
    async fn answer(&mut self) -> Answer {
        let end = loop {
            if let Some(i) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            if self.fill().await == 0 {
                panic!("the server closed the connection without an answer (got {:?})", self.buf);
            }
        };
        let head: String = String::from_utf8_lossy(&self.buf[..end])
            .split("\r\n")
            .map(|line| match line.split_once(':') {
                Some((name, value)) => format!("{}:{value}", name.to_ascii_lowercase()),
                None => line.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("\r\n");
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        let length: usize = head
            .split("\r\n")
            .find_map(|l| l.strip_prefix("content-length:"))
            .map_or(0, |v| v.trim().parse().unwrap());
        while self.buf.len() < end + length {
            assert!(self.fill().await > 0, "the connection closed in the middle of a body");
        }
        let body = serde_json::from_slice(&self.buf[end..end + length]).unwrap_or(Value::Null);
        self.buf.drain(..end + length);
        Answer { status, head, body }
    }

    /// After an answer that closes: the server's end of the stream comes next, as a clean
    /// close (FIN), not a reset.
    async fn assert_closed_cleanly(&mut self) {
        assert_eq!(
            self.fill().await,
            0,
            "more after the last answer: {:?}",
            String::from_utf8_lossy(&self.buf)
        );
    }

    async fn health(&mut self) -> Answer {
        self.send(b"GET /emulator/v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n").await;
        self.answer().await
    }
}

/// An answer given before the request body was read (unknown project, path or method) must
/// not cost the connection: the client's next request on it gets its answer too, whether the
/// body came with the head or a moment after it.
#[tokio::test]
async fn answers_before_the_body_arrived_keep_the_connection() {
    let addr = serve(64 * 1024).await;
    let body = format!(r#"{{"loginId":"someone@x.test","pad":"{}"}}"#, "x".repeat(4000));
    let cases = [
        ("/v1/auth/otp/signup/email", "Authorization: Bearer PNOSUCHPROJECT\r\n", 401, "E011102"),
        ("/no/such/path", "", 404, "E011001"),
        ("/emulator/v1/health", "", 405, "E011001"),
    ];
    for (path, auth, status, code) in cases {
        for delay in [None, Some(Duration::from_millis(150))] {
            let mut c = Raw::connect(addr).await;
            let head = format!(
                "POST {path} HTTP/1.1\r\nHost: localhost\r\n{auth}Content-Type: application/json\r\n\
                 Content-Length: {}\r\n\r\n",
                body.len()
            );
            match delay {
                None => c.send(format!("{head}{body}").as_bytes()).await,
                Some(delay) => {
                    c.send(head.as_bytes()).await;
                    tokio::time::sleep(delay).await;
                    c.send(body.as_bytes()).await;
                }
            }
            let first = c.answer().await;
            assert_eq!(first.status, status, "POST {path} (body delayed: {delay:?}): {first:?}");
            assert_eq!(first.body["errorCode"], code, "{first:?}");
            assert!(!first.closes(), "{first:?}");
            let second = c.health().await;
            assert_eq!(second.status, 200, "second request after POST {path} (delay {delay:?}): {second:?}");
            assert_eq!(second.body["status"], "ok");
        }
    }
}

/// A body over `--max-body` answers 413 with the Descope body and `Connection: close`; the
/// server reads the rest of the body before closing, so the client reads the answer and
/// then a clean end of stream (not a reset). Announced by `Content-Length` or found while
/// reading a chunked body alike.
#[tokio::test]
async fn a_body_over_the_limit_answers_413_and_closes_cleanly() {
    let addr = serve(1024).await;
    let big = vec![b'x'; 256 * 1024];

    let mut c = Raw::connect(addr).await;
    let head = format!(
        "POST /v1/auth/otp/signup/email HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        big.len()
    );
    c.send(head.as_bytes()).await;
    c.send(&big).await;
    let answer = c.answer().await;
    answer.assert_descope_error(413);
    assert!(answer.closes(), "{answer:?}");
    c.assert_closed_cleanly().await;

    let mut c = Raw::connect(addr).await;
    c.send(
        b"POST /v1/auth/otp/signup/email HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n",
    )
    .await;
    for _ in 0..4 {
        c.send(format!("{:x}\r\n", 1000).as_bytes()).await;
        c.send(&big[..1000]).await;
        c.send(b"\r\n").await;
    }
    c.send(b"0\r\n\r\n").await;
    let answer = c.answer().await;
    answer.assert_descope_error(413);
    assert!(answer.closes(), "{answer:?}");
    c.assert_closed_cleanly().await;

    // Within the limit, the same connection serves on.
    let mut c = Raw::connect(addr).await;
    let body = br#"{"loginId":"a@x.test"}"#;
    let head = format!(
        "POST /v1/auth/otp/signup/email HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer PNOSUCHPROJECT\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    c.send(head.as_bytes()).await;
    c.send(body).await;
    assert_eq!(c.answer().await.status, 401);
    assert_eq!(c.health().await.status, 200);
}

/// Requests hyper refuses before the router sees them (a malformed request line or header, a
/// request target over 64 KiB, a head over the read buffer) answer with the Descope error
/// body and the emulator header, then close cleanly. Headers over 64 KiB that hyper still
/// parses are refused by the router, and the connection stays usable.
#[tokio::test]
async fn malformed_and_oversized_requests_get_the_descope_error_body() {
    let addr = serve(64 * 1024).await;
    let long_query =
        format!("GET /emulator/v1/health?q={} HTTP/1.1\r\nHost: localhost\r\n\r\n", "a".repeat(100_000));
    let header = |size: usize| {
        format!("GET /emulator/v1/health HTTP/1.1\r\nHost: localhost\r\nX-Big: {}\r\n\r\n", "a".repeat(size))
    };
    let cases: [(&str, String, u16, bool); 5] = [
        ("garbage request line", "HELLO\r\n\r\n".to_owned(), 400, true),
        (
            "bad header line",
            "GET /emulator/v1/health HTTP/1.1\r\nHost: localhost\r\nbad header\r\n\r\n".to_owned(),
            400,
            true,
        ),
        ("100 KB query", long_query, 414, true),
        ("100 KB header", header(100_000), 431, false),
        ("200 KB header", header(200_000), 431, true),
    ];
    for (what, request, status, closes) in cases {
        let mut c = Raw::connect(addr).await;
        c.send(request.as_bytes()).await;
        let answer = c.answer().await;
        answer.assert_descope_error(status);
        assert_eq!(answer.closes(), closes, "{what}: {answer:?}");
        if closes {
            c.assert_closed_cleanly().await;
        } else {
            assert_eq!(c.health().await.status, 200, "{what}");
        }
    }
}
