//! A TLS server that answers any request with a short HTTP/1.1 response, so
//! curl, browsers and scanners can talk to it:
//!
//! ```text
//! cargo run -p handshake-tls --example server -- --cert cert.pem --key key.pem --port 8443
//! curl --cacert ca.pem https://localhost:8443/
//! ```
//!
//! Each connection runs on its own thread (at most 64 at once) and drives a
//! sans-IO [`ServerConnection`] over a `std::net::TcpStream` with the loop in
//! `common`. The OS CSPRNG comes from `rand`'s `OsRng`.

mod common;

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use handshake_tls::{ServerConfig, ServerConnection};

use common::{handshake, step, Received, Tls, TlsOptions};

/// Largest request head read before answering.
const MAX_REQUEST: usize = 16 * 1024;

/// Connections served at once; more are closed on accept.
const MAX_ACTIVE: usize = 64;

#[derive(Parser, Debug)]
#[command(about = "A handshake-tls server answering every request with a short HTTP/1.1 response")]
struct Args {
    /// The certificate chain, leaf first (PEM)
    #[arg(long)]
    cert: PathBuf,
    /// The leaf's private key (PEM, PKCS#8)
    #[arg(long)]
    key: PathBuf,
    /// The TCP port (0: one the OS chooses; the port is printed)
    #[arg(long, default_value_t = 8443)]
    port: u16,
    /// The address to listen on
    #[arg(long, default_value = "127.0.0.1")]
    address: std::net::IpAddr,
    /// Exit after this many connections (default: serve forever)
    #[arg(long)]
    max_connections: Option<usize>,
    /// Issue TLS 1.2 session tickets (RFC 5077), sealed with a key drawn at start
    #[arg(long)]
    tickets: bool,
    /// Accept TLS 1.2 clients that do not offer the extended master secret
    /// (by default they are refused, as RFC 7627 §5.3 allows)
    #[arg(long)]
    no_ems_required: bool,
    #[command(flatten)]
    tls: TlsOptions,
}

fn config(args: &Args) -> Result<ServerConfig, String> {
    let chain = common::load_certs(&args.cert)?;
    let key = common::load_pkcs8_key(&args.key)?;
    let mut c = ServerConfig::new(chain, &key).map_err(|e| e.to_string())?;
    let chosen = args.tls.choose()?;
    c.versions = chosen.versions;
    c.cipher_suites = chosen.suites13;
    c.tls12_suites = chosen.suites12;
    c.groups = chosen.groups;
    c.key_log = chosen.key_log;
    c.trace = args.tls.trace;
    c.require_extended_master_secret = !args.no_ems_required;
    if args.tickets {
        let mut k = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut k);
        c.set_tls12_ticket_key(k);
    }
    Ok(c)
}

/// One connection: the handshake, the request head, the response, then
/// close_notify.
fn serve(config: Arc<ServerConfig>, mut sock: TcpStream) -> Result<String, String> {
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    let mut conn =
        ServerConnection::new(config, Box::new(rand::rngs::OsRng)).map_err(|e| e.to_string())?;
    let mut got = Received::default();
    let r = handshake(&mut conn, &mut sock, &mut got);
    for line in conn.trace_lines() {
        eprintln!("  {line}");
    }
    r?;
    let agreed = conn.describe();
    // The request head ends with an empty line (RFC 9112 §2.1).
    while !got.data.windows(4).any(|w| w == b"\r\n\r\n") {
        if got.closed || got.eof || got.data.len() > MAX_REQUEST {
            break;
        }
        step(&mut conn, &mut sock, &mut got)?;
    }
    let first = got.data.split(|b| *b == b'\n').next().unwrap_or_default();
    let body = format!("Hello from handshake-tls over {agreed}\n");
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    conn.send(response.as_bytes()).map_err(|e| e.to_string())?;
    // RFC 8446 §6.1: close_notify before closing the write side.
    conn.close();
    common::flush(&mut conn, &mut sock)?;
    Ok(format!(
        "{agreed}: {}",
        String::from_utf8_lossy(first).trim_end()
    ))
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let config = match config(&args) {
        Ok(c) => Arc::new(c),
        Err(e) => {
            eprintln!("server: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let listener = match TcpListener::bind((args.address, args.port)) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("server: {}:{}: {e}", args.address, args.port);
            return std::process::ExitCode::from(2);
        }
    };
    let port = listener.local_addr().map_or(args.port, |a| a.port());
    // A line a script can wait for.
    println!("listening on {}:{port}", args.address);
    let active = Arc::new(AtomicUsize::new(0));
    let mut threads = Vec::new();
    for (n, sock) in listener.incoming().enumerate() {
        if args.max_connections.is_some_and(|max| n >= max) {
            break;
        }
        let Ok(sock) = sock else { continue };
        if active.load(Ordering::Relaxed) >= MAX_ACTIVE {
            continue; // dropped: closed
        }
        active.fetch_add(1, Ordering::Relaxed);
        let (config, active) = (config.clone(), active.clone());
        let peer = sock.peer_addr().map(|a| a.to_string()).unwrap_or_default();
        threads.push(std::thread::spawn(move || {
            match serve(config, sock) {
                Ok(what) => eprintln!("{peer}: {what}"),
                Err(e) => eprintln!("{peer}: {e}"),
            }
            active.fetch_sub(1, Ordering::Relaxed);
        }));
        threads.retain(|t| !t.is_finished());
        if args.max_connections.is_some_and(|max| n + 1 >= max) {
            break;
        }
    }
    for t in threads {
        let _ = t.join();
    }
    std::process::ExitCode::SUCCESS
}
