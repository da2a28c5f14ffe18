//! A TLS client that sends `GET /` and prints the response:
//!
//! ```text
//! cargo run -p handshake-tls --example client -- --cafile ca.pem localhost 8443
//! ```
//!
//! It drives a sans-IO [`ClientConnection`] over a `std::net::TcpStream`
//! with the loop in `common`: the system clock for certificate validity,
//! `rand`'s `OsRng` for randomness.

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use handshake_tls::{ClientConfig, ClientConnection, TrustAnchor};

use common::{handshake, step, Received, Tls, TlsOptions};

/// The most response read.
const MAX_RESPONSE: usize = 16 << 20;

#[derive(Parser, Debug)]
#[command(about = "A handshake-tls client: GET / and print the response")]
struct Args {
    /// The server's host name or address
    host: String,
    /// The server's TCP port
    port: u16,
    /// Trust anchors (PEM certificates)
    #[arg(long, default_value = "/etc/ssl/certs/ca-certificates.crt")]
    cafile: PathBuf,
    /// The name to send as SNI and check the certificate against (default: HOST)
    #[arg(long)]
    server_name: Option<String>,
    /// The request path
    #[arg(long, default_value = "/")]
    path: String,
    #[command(flatten)]
    tls: TlsOptions,
}

fn config(args: &Args) -> Result<ClientConfig, String> {
    // Roots our X.509 code cannot parse are skipped (a system bundle has a
    // few with algorithms it does not implement).
    let roots: Vec<TrustAnchor> = common::load_certs(&args.cafile)?
        .iter()
        .filter_map(|der| TrustAnchor::from_der(der).ok())
        .collect();
    if roots.is_empty() {
        return Err(format!("{}: no usable trust anchor", args.cafile.display()));
    }
    let mut c = ClientConfig::new(roots);
    let chosen = args.tls.choose()?;
    c.versions = chosen.versions;
    c.cipher_suites = chosen.suites13;
    c.tls12_suites = chosen.suites12;
    c.groups = chosen.groups;
    c.key_log = chosen.key_log;
    c.trace = args.tls.trace;
    Ok(c)
}

fn run(args: &Args) -> Result<(), String> {
    let config = Arc::new(config(args)?);
    let name = args
        .server_name
        .clone()
        .unwrap_or_else(|| args.host.clone());
    let mut sock = TcpStream::connect((args.host.as_str(), args.port))
        .map_err(|e| format!("{}:{}: {e}", args.host, args.port))?;
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    let mut conn = ClientConnection::new(
        config,
        &name,
        common::now_unix(),
        Box::new(rand::rngs::OsRng),
    )
    .map_err(|e| e.to_string())?;
    let mut got = Received::default();
    let r = handshake(&mut conn, &mut sock, &mut got);
    for line in conn.trace_lines() {
        eprintln!("  {line}");
    }
    r?;
    eprintln!("connected: {}", conn.describe());
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {name}\r\nUser-Agent: handshake-tls-example\r\nConnection: close\r\n\r\n",
        args.path
    );
    conn.send(request.as_bytes()).map_err(|e| e.to_string())?;
    let mut out = std::io::stdout().lock();
    let mut printed = 0;
    // Until close_notify (or the end of the stream, reported), bounded.
    while !got.closed && !got.eof && printed < MAX_RESPONSE {
        step(&mut conn, &mut sock, &mut got)?;
        out.write_all(&got.data[printed..])
            .map_err(|e| e.to_string())?;
        printed = got.data.len();
    }
    out.flush().map_err(|e| e.to_string())?;
    if got.closed {
        conn.close();
        let _ = common::flush(&mut conn, &mut sock);
    } else if got.eof {
        eprintln!("warning: the server closed without close_notify (RFC 8446 §6.1)");
    }
    Ok(())
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("client: {e}");
            ExitCode::FAILURE
        }
    }
}
