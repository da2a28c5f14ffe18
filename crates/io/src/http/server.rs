//! The small server: [`serve_connection`] answers one connection's
//! requests with a [`Handler`]; [`Server`] accepts connections (plain or
//! TLS) and serves each on its own task.

use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use handshake_http::server::{reason, Connection};
use handshake_http::{Event, Headers, Limits, Method, Request, Response};
use handshake_tls::ServerConfig;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

use super::READ_CHUNK;
use crate::tls::TlsStream;

/// A handler's answer to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The head (`Content-Length` or `Transfer-Encoding` is added).
    pub response: Response,
    /// The body (not sent in answer to HEAD).
    pub body: Vec<u8>,
    /// `Some(n)`: send the body with the chunked coding in chunks of `n`
    /// octets (RFC 9112 §7.1); `None`: with Content-Length.
    pub chunk: Option<usize>,
}

impl Reply {
    /// A reply with `status`, its reason phrase, and a text body.
    pub fn text(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        let mut response = Response::new(status, reason(status));
        response
            .headers
            .append("Content-Type", "text/plain; charset=utf-8");
        Reply {
            response,
            body: body.into(),
            chunk: None,
        }
    }
}

/// What answers requests.
pub trait Handler: Send + Sync {
    /// The reply to `req`, whose whole body is `body`.
    fn handle(&self, req: &Request, body: &[u8]) -> Reply;
}

/// Every GET or HEAD gets the same body (200, `application/octet-stream`).
#[derive(Debug, Clone)]
pub struct Fixed(pub Vec<u8>);

impl Handler for Fixed {
    fn handle(&self, req: &Request, _body: &[u8]) -> Reply {
        if let Some(r) = only_get_head(req) {
            return r;
        }
        let mut response = Response::new(200, "OK");
        response
            .headers
            .append("Content-Type", "application/octet-stream");
        Reply {
            response,
            body: self.0.clone(),
            chunk: chunk_query(&req.target),
        }
    }
}

/// Files under a folder: `GET /a/b` serves `ROOT/a/b` (`index.html` for a
/// folder), 404 when missing, 405 for methods other than GET and HEAD.
/// A query `?chunked` sends the file with the chunked coding, in 4096
/// octet chunks, instead of Content-Length.
#[derive(Debug, Clone)]
pub struct Files {
    root: PathBuf,
}

impl Files {
    /// Serves the files under `root`.
    pub fn new(root: impl Into<PathBuf>) -> Files {
        Files { root: root.into() }
    }

    /// The file a request-target names; `None` when it is not an
    /// origin-form path or climbs out of the root.
    fn path(&self, target: &str) -> Option<PathBuf> {
        let path = target.split(['?', '#']).next()?;
        let rel = path.strip_prefix('/')?;
        let mut out = self.root.clone();
        for c in Path::new(rel).components() {
            match c {
                Component::Normal(p) => out.push(p),
                Component::CurDir => {}
                _ => return None,
            }
        }
        if out.is_dir() {
            out.push("index.html");
        }
        Some(out)
    }
}

impl Handler for Files {
    fn handle(&self, req: &Request, _body: &[u8]) -> Reply {
        if let Some(r) = only_get_head(req) {
            return r;
        }
        let Some(path) = self.path(&req.target) else {
            return Reply::text(400, "bad path\n");
        };
        match std::fs::read(&path) {
            Ok(body) => {
                let mut response = Response::new(200, "OK");
                response.headers.append("Content-Type", content_type(&path));
                Reply {
                    response,
                    body,
                    chunk: chunk_query(&req.target),
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Reply::text(404, "not found\n"),
            Err(_) => Reply::text(403, "forbidden\n"),
        }
    }
}

/// 405 with `Allow` for a method other than GET and HEAD (RFC 9110 §15.5.6).
fn only_get_head(req: &Request) -> Option<Reply> {
    if matches!(req.method, Method::Get | Method::Head) {
        return None;
    }
    let mut r = Reply::text(405, "only GET and HEAD\n");
    r.response.headers.append("Allow", "GET, HEAD");
    Some(r)
}

fn chunk_query(target: &str) -> Option<usize> {
    let query = target.split_once('?')?.1;
    query.split('&').any(|p| p == "chunked").then_some(4096)
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("txt") => "text/plain; charset=utf-8",
        Some("json") => "application/json",
        Some("css") => "text/css",
        Some("js") => "text/javascript",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

/// Queues `reply` on `conn`.
fn respond(conn: &mut Connection, reply: Reply) -> Result<(), handshake_http::Error> {
    let Some(n) = reply.chunk else {
        return conn.send_response(&reply.response, &reply.body);
    };
    let mut res = reply.response;
    res.headers.append("Transfer-Encoding", "chunked");
    conn.start_response(&res)?;
    for piece in reply.body.chunks(n.max(1)) {
        // A HEAD response's body is not sent (its framing is none).
        if conn.send_data(piece).is_err() {
            break;
        }
    }
    conn.finish_response(&Headers::new())
}

/// Answers the requests of one connection with `handler` until either
/// side closes it. Request bodies are gathered up to `limits.max_body`
/// (413 beyond it).
pub async fn serve_connection<S>(
    mut stream: S,
    handler: &dyn Handler,
    limits: Limits,
) -> io::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut conn = Connection::new(limits);
    let mut buf = vec![0u8; READ_CHUNK];
    let mut current: Option<Request> = None;
    let mut body = Vec::new();
    let mut eof = false;
    // Bounded: each round reads at least one byte or ends the loop.
    loop {
        loop {
            match conn.poll_event() {
                Ok(Some(Event::Request(r))) => {
                    // RFC 9110 §10.1.1: a server that will read the body
                    // sends 100 (Continue) to an Expect: 100-continue.
                    if r.headers
                        .get("expect")
                        .is_some_and(|v| v.eq_ignore_ascii_case(b"100-continue"))
                    {
                        conn.start_response(&Response::new(100, "Continue"))
                            .map_err(super::to_io)?;
                    }
                    current = Some(r);
                    body.clear();
                }
                Ok(Some(Event::Data(d))) => body.extend_from_slice(&d),
                Ok(Some(Event::Trailers(_) | Event::Response(_))) => {}
                Ok(Some(Event::End)) => {
                    if let Some(req) = current.take() {
                        let reply = handler.handle(&req, &body);
                        respond(&mut conn, reply).map_err(super::to_io)?;
                    }
                }
                // An error: its response is queued and the connection closes.
                Ok(None) | Err(_) => break,
            }
            if let Some(out) = conn.poll_transmit() {
                stream.write_all(&out).await?;
            }
        }
        if let Some(out) = conn.poll_transmit() {
            stream.write_all(&out).await?;
        }
        if conn.is_closed() || eof {
            stream.flush().await?;
            return stream.shutdown().await;
        }
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            eof = true;
            conn.handle_eof();
        } else {
            conn.handle_input(&buf[..n]);
        }
    }
}

/// Accepts connections on a listener and serves each with a handler, on
/// its own task; over TLS when a [`ServerConfig`] is given.
pub struct Server {
    listener: TcpListener,
    handler: Arc<dyn Handler>,
    tls: Option<Arc<ServerConfig>>,
    limits: Limits,
}

impl Server {
    /// Serves `handler` on `listener`, plain HTTP, request bodies up to 1 MiB.
    pub fn new(listener: TcpListener, handler: Arc<dyn Handler>) -> Server {
        Server {
            listener,
            handler,
            tls: None,
            limits: Limits {
                max_body: Some(1 << 20),
                ..Limits::default()
            },
        }
    }

    /// Serves HTTPS with `config`.
    pub fn with_tls(mut self, config: Arc<ServerConfig>) -> Server {
        self.tls = Some(config);
        self
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> io::Result<std::net::SocketAddr> {
        self.listener.local_addr()
    }

    /// Accepts connections until accepting fails; a connection's failure
    /// (a TLS handshake refused, a reset) ends only that connection.
    pub async fn run(self) -> io::Result<()> {
        loop {
            let (tcp, _) = self.listener.accept().await?;
            let handler = Arc::clone(&self.handler);
            let tls = self.tls.clone();
            let limits = self.limits;
            tokio::spawn(async move {
                let _ = match tls {
                    Some(cfg) => match TlsStream::accept(cfg, tcp).await {
                        Ok(s) => serve_connection(s, handler.as_ref(), limits).await,
                        Err(e) => Err(e.into()),
                    },
                    None => serve_connection(tcp, handler.as_ref(), limits).await,
                };
            });
        }
    }
}
