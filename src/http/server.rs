//! The HTTP/1.1 server: the accept loop, hyper's connection settings, and the socket wrapper
//! that gives hyper's own error answers the Descope error body.
//!
//! Why not `axum::serve`: it rebuilds the router for every connection (`Router::with_state`
//! over every route, ~500 KiB per open connection with our route table) and leaves hyper's
//! limits at their defaults (a read buffer of up to ~400 KiB per connection). Here the router
//! is built once and shared: a connection holds ~11 KiB while idle (hyper's 8 KiB read and
//! write buffers, partly untouched) and ~18 KiB while parked in a long-poll.
//!
//! Requests that hyper cannot parse never reach axum: a malformed request line or header
//! (400), a request target over 65,534 bytes (414), a head larger than the read buffer (431).
//! hyper answers those itself, with an empty body, and closes the connection. [`ConnIo`]
//! recognises that answer as it is written (an error status without the `x-descope-emulator`
//! header, which every answer of ours carries) and writes the Descope error body in its place.
//! Pre-parsing every request head ourselves would mean tracking message framing (bodies,
//! chunked encoding, pipelining) outside hyper; recognising the one canned answer hyper writes
//! before it closes is the smaller piece of code.

use axum::http::StatusCode;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Sleep;

use crate::error::{ApiError, ErrorKind};
use crate::http::middleware::{EMULATOR_HEADER, VERSION};

/// hyper's read buffer limit, so the largest request head (request line and headers) it
/// parses. A connection's buffer starts at 8 KiB and grows only for bigger requests. Large
/// enough that a request target up to hyper's own 65,534-byte limit gets its 414; the headers
/// themselves are held to [`super::middleware::MAX_HEADER_BYTES`].
pub const MAX_HEAD_BYTES: usize = 128 * 1024;

/// Serves `app` on `listener` until `shutdown` completes, then lets open connections finish
/// their current request (idle ones close at once) and returns when all are closed.
pub async fn serve(listener: TcpListener, app: axum::Router, shutdown: impl Future<Output = ()>) {
    let service = TowerToHyperService::new(app);
    let mut http = hyper::server::conn::http1::Builder::new();
    // No header-read timeout: it would also close idle keep-alive connections, which a client
    // may be about to reuse.
    http.max_buf_size(MAX_HEAD_BYTES).header_read_timeout(None);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let tcp = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((tcp, _)) => tcp,
                Err(e) => {
                    accept_error(e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // No Nagle delay on answers: a client waiting for one must not wait for an ACK.
        let _ = tcp.set_nodelay(true);
        let conn = http.serve_connection(TokioIo::new(ConnIo::new(tcp)), service.clone());
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// Errors of one connection (reset before it was accepted) are skipped; others (out of file
/// descriptors) are logged and accepting pauses for a second, as hyper 0.14's server did.
async fn accept_error(e: io::Error) {
    if matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!("accept error: {e}");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// At close, how long the server keeps reading (and discarding) what the client still sends:
/// at most [`DRAIN_MAX`] in all, and no longer than [`DRAIN_IDLE`] after the last byte.
const DRAIN_MAX: Duration = Duration::from_secs(2);
const DRAIN_IDLE: Duration = Duration::from_millis(250);

/// A client connection as hyper sees it: the TCP stream, with two changes.
///
/// - hyper's own answer to a request it cannot parse becomes the Descope error body
///   ([`canned_error_status`]).
/// - Closing is lingering: after the server's FIN, whatever the client is still sending (the
///   rest of a body refused with 413, the rest of an oversized head) is read and discarded
///   until the client closes or goes quiet. Closing a socket with unread input makes the
///   kernel send a reset, which can destroy the answer before the client has read it.
pub struct ConnIo {
    tcp: TcpStream,
    replacement: Option<Replacement>,
    closing: Closing,
}

/// The Descope answer written in place of hyper's, and how much of it is out.
struct Replacement {
    bytes: Vec<u8>,
    written: usize,
}

enum Closing {
    Open,
    Draining { until: Pin<Box<Sleep>>, quiet: Pin<Box<Sleep>> },
    Closed,
}

impl ConnIo {
    pub fn new(tcp: TcpStream) -> Self {
        ConnIo { tcp, replacement: None, closing: Closing::Open }
    }

    /// When hyper's output (`first`, its first buffer, of `total` bytes) is its own error
    /// answer, writes ours in its place and reports hyper's as written; `None` for any other
    /// output, which goes out as it is.
    fn write(&mut self, cx: &mut Context<'_>, first: &[u8], total: usize) -> Option<Poll<io::Result<usize>>> {
        if self.replacement.is_none() {
            let status = canned_error_status(first)?;
            self.replacement = Some(Replacement { bytes: descope_error_answer(status, first), written: 0 });
        }
        let r = self.replacement.as_mut()?;
        while r.written < r.bytes.len() {
            match Pin::new(&mut self.tcp).poll_write(cx, &r.bytes[r.written..]) {
                Poll::Ready(Ok(0)) => return Some(Poll::Ready(Err(io::ErrorKind::WriteZero.into()))),
                Poll::Ready(Ok(n)) => r.written += n,
                Poll::Ready(Err(e)) => return Some(Poll::Ready(Err(e))),
                Poll::Pending => return Some(Poll::Pending),
            }
        }
        // hyper's bytes count as written; it writes nothing after that answer but closes.
        Some(Poll::Ready(Ok(total)))
    }
}

impl AsyncRead for ConnIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_read(cx, buf)
    }
}

impl AsyncWrite for ConnIo {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if let Some(answer) = this.write(cx, buf, buf.len()) {
            return answer;
        }
        Pin::new(&mut this.tcp).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let first = bufs.iter().find(|b| !b.is_empty()).map_or(&[][..], |b| &b[..]);
        let total = bufs.iter().map(|b| b.len()).sum();
        if let Some(answer) = this.write(cx, first, total) {
            return answer;
        }
        Pin::new(&mut this.tcp).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        loop {
            match &mut this.closing {
                Closing::Open => {
                    ready!(Pin::new(&mut this.tcp).poll_shutdown(cx))?;
                    this.closing = Closing::Draining {
                        until: Box::pin(tokio::time::sleep(DRAIN_MAX)),
                        quiet: Box::pin(tokio::time::sleep(DRAIN_IDLE)),
                    };
                }
                Closing::Draining { until, quiet } => {
                    let mut scratch = [0u8; 4096];
                    loop {
                        let mut buf = ReadBuf::new(&mut scratch);
                        match Pin::new(&mut this.tcp).poll_read(cx, &mut buf) {
                            // More input: discard it and wait for the next.
                            Poll::Ready(Ok(())) if !buf.filled().is_empty() => {
                                quiet.as_mut().reset(tokio::time::Instant::now() + DRAIN_IDLE);
                            }
                            // End of input (the client closed) or a reset: done.
                            Poll::Ready(_) => {
                                this.closing = Closing::Closed;
                                break;
                            }
                            Poll::Pending => {
                                if until.as_mut().poll(cx).is_ready() || quiet.as_mut().poll(cx).is_ready() {
                                    this.closing = Closing::Closed;
                                    break;
                                }
                                return Poll::Pending;
                            }
                        }
                    }
                }
                Closing::Closed => return Poll::Ready(Ok(())),
            }
        }
    }
}

/// The status of an error answer that hyper wrote itself: `HTTP/1.1 400`, `414` or `431`
/// (the answers of hyper's `on_error`), a complete head with `content-length: 0` and without
/// the emulator header. Every answer the router makes carries that header, and no body of
/// ours starts with a status line.
fn canned_error_status(bytes: &[u8]) -> Option<StatusCode> {
    let rest = bytes.strip_prefix(b"HTTP/1.1 ")?;
    let status = match rest.get(..4)? {
        b"400 " => StatusCode::BAD_REQUEST,
        b"414 " => StatusCode::URI_TOO_LONG,
        b"431 " => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        _ => return None,
    };
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&bytes[..end]).ok()?.to_ascii_lowercase();
    let mut fields = head.split("\r\n").skip(1);
    let empty = fields.clone().any(|f| f.replace(' ', "") == "content-length:0");
    let ours = fields.any(|f| f.starts_with(EMULATOR_HEADER));
    (empty && !ours).then_some(status)
}

/// The answer written instead of hyper's: same status, the Descope error body, the emulator
/// header, `connection: close` (hyper closes the connection after it), hyper's `date`.
fn descope_error_answer(status: StatusCode, canned: &[u8]) -> Vec<u8> {
    let error = match status {
        StatusCode::URI_TOO_LONG => {
            ApiError::new(ErrorKind::UriTooLong, "The request target is longer than 65534 bytes")
        }
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => ApiError::new(
            ErrorKind::HeadersTooLarge,
            format!("The request line and headers are larger than {MAX_HEAD_BYTES} bytes"),
        ),
        _ => ApiError::bad_request("The request is not valid HTTP/1.1 (request line or a header)"),
    };
    let body = serde_json::to_vec(&error.body()).unwrap_or_default();
    let date = String::from_utf8_lossy(canned)
        .split("\r\n")
        .find(|f| f.to_ascii_lowercase().starts_with("date:"))
        .map(|f| format!("{f}\r\n"))
        .unwrap_or_default();
    let mut answer = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\n{EMULATOR_HEADER}: {VERSION}\r\n\
         connection: close\r\ncontent-length: {}\r\n{date}\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        body.len()
    )
    .into_bytes();
    answer.extend_from_slice(&body);
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_only_hyper_s_own_error_answers() {
        let hyper = b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\ndate: Wed, 02 Dec 2026 10:50:23 GMT\r\n\r\n";
        assert_eq!(canned_error_status(hyper), Some(StatusCode::BAD_REQUEST));
        let long = b"HTTP/1.1 414 URI Too Long\r\nconnection: close\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(canned_error_status(long), Some(StatusCode::URI_TOO_LONG));
        let large = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(canned_error_status(large), Some(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE));
        // Ours: the emulator header, or a body.
        let ours = b"HTTP/1.1 400 Bad Request\r\nx-descope-emulator: 0.1.0\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(canned_error_status(ours), None);
        let body = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\n\r\n{}";
        assert_eq!(canned_error_status(body), None);
        // Other statuses, incomplete heads, body bytes.
        assert_eq!(canned_error_status(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n"), None);
        assert_eq!(canned_error_status(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n"), None);
        assert_eq!(canned_error_status(b"{\"errorCode\":\"E011001\"}"), None);
    }

    #[test]
    fn the_replacement_is_a_complete_descope_answer() {
        let canned = b"HTTP/1.1 414 URI Too Long\r\nconnection: close\r\ncontent-length: 0\r\ndate: Wed, 02 Dec 2026 10:50:23 GMT\r\n\r\n";
        let answer = String::from_utf8(descope_error_answer(StatusCode::URI_TOO_LONG, canned)).unwrap();
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 414 URI Too Long\r\n"), "{head}");
        assert!(head.contains("\r\nx-descope-emulator: "), "{head}");
        assert!(head.contains("\r\nconnection: close\r\n"), "{head}");
        assert!(head.contains("\r\ndate: Wed, 02 Dec 2026 10:50:23 GMT"), "{head}");
        assert!(head.contains(&format!("\r\ncontent-length: {}", body.len())), "{head}");
        let body: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(body["errorCode"], "E011001");
    }
}
