//! HTTP/1.1 over any tokio stream: the sans-IO connection drivers of
//! handshake-http moved over an `AsyncRead + AsyncWrite` — a `TcpStream`,
//! or our [`TlsStream`](crate::tls::TlsStream) for HTTPS.
//!
//! - [`Client`]: requests out, responses in, on one connection (keep-alive
//!   reuse while the server allows it);
//! - [`serve_connection`] and [`Server`]: answer requests with a
//!   [`Handler`] ([`Files`] from a folder, or a [`Fixed`] body), plain or TLS.
//!
//! ```no_run
//! # async fn f() -> std::io::Result<()> {
//! use handshake_http::{Method, Request};
//! use handshake_io::http::Client;
//! let tcp = tokio::net::TcpStream::connect("127.0.0.1:8080").await?;
//! let mut client = Client::new(tcp);
//! let mut req = Request::new(Method::Get, "/");
//! req.headers.append("Host", "127.0.0.1:8080");
//! let fetched = client.fetch(&req, b"", 1 << 20).await?;
//! println!("{} {} bytes", fetched.head.status, fetched.body.len());
//! # Ok(()) }
//! ```

mod client;
mod server;

pub use client::{Client, Fetched};
pub use server::{serve_connection, Files, Fixed, Handler, Reply, Server};

use std::io;

/// An HTTP protocol error as an `io::Error` (`InvalidData`, the error inside).
pub fn to_io(e: handshake_http::Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}

/// How much is read from the stream at once.
const READ_CHUNK: usize = 16 * 1024;
