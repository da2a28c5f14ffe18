//! The runnable examples of handshake-tls (`crates/tls/examples/server.rs`
//! and `client.rs`) as peers: built once per run with cargo (release, the
//! same target directory), the server started on a free port of 127.0.0.1
//! for a given number of connections and stopped by its pid when dropped,
//! the client run to its end under a time limit.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use super::tls_tool::{pem, ToolPeer};

/// The example binaries' folder, built on first use.
fn built() -> Result<&'static Path, String> {
    static DIR: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    DIR.get_or_init(build).as_deref().map_err(Clone::clone)
}

fn build() -> Result<PathBuf, String> {
    let server = super::cargo_bin::build(
        &[
            "-p",
            "handshake-tls",
            "--example",
            "server",
            "--example",
            "client",
        ],
        "server",
    )?;
    server
        .parent()
        .map(Path::to_path_buf)
        .ok_or_else(|| "cargo named no example folder".to_string())
}

/// The path of the example `name` ("server" or "client").
pub fn binary(name: &str) -> Result<PathBuf, String> {
    Ok(built()?.join(name))
}

/// The example server on 127.0.0.1, with its certificate files.
pub struct ExampleServer {
    /// The running process (stopped by pid on drop).
    pub peer: ToolPeer,
    /// Its port.
    pub port: u16,
}

impl ExampleServer {
    /// Starts the example server with `chain` (leaf first, DER) and its
    /// PKCS#8 key, for `connections` connections, with `extra` options
    /// (`--protocol 1.2`, `--keylog F`); returns once it listens.
    pub fn start(
        chain: &[Vec<u8>],
        key_pkcs8: &[u8],
        connections: u32,
        extra: &[String],
    ) -> Result<Self, String> {
        let bin = binary("server")?;
        let dir = ToolPeer::scratch("example-server")?;
        let w = |name: &str, text: String| {
            std::fs::write(dir.join(name), text).map_err(|e| e.to_string())
        };
        w(
            "chain.pem",
            chain.iter().map(|c| pem("CERTIFICATE", c)).collect(),
        )?;
        w("key.pem", pem("PRIVATE KEY", key_pkcs8))?;
        let mut args: Vec<String> = [
            "--cert",
            "chain.pem",
            "--key",
            "key.pem",
            "--port",
            "0",
            "--max-connections",
            &connections.to_string(),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.extend(extra.iter().cloned());
        let mut peer = ToolPeer::program(&bin.to_string_lossy(), &args, dir)?;
        peer.wait_for(b"\n", Duration::from_secs(10))?;
        let out = peer.stdout_text();
        let port = out
            .trim()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| format!("the example server said {out:?}"))?;
        Ok(ExampleServer { peer, port })
    }
}

/// Runs `program` with `args` in `dir` until it exits (at most `timeout`,
/// else it is stopped by its pid); returns its stdout and stderr, or why it
/// failed.
pub fn run_to_end(
    program: &str,
    args: &[String],
    dir: PathBuf,
    timeout: Duration,
) -> Result<(String, String), String> {
    let mut peer = ToolPeer::program(program, args, dir)?;
    if !peer.wait_exit(timeout) {
        return Err(format!("{program} did not finish: {}", peer.stderr_text()));
    }
    match peer.into_output() {
        (true, out, err) => Ok((out, err)),
        (false, out, err) => Err(format!("{program} failed: {err}; stdout: {out}")),
    }
}

/// Runs the example client with `args` in `dir` (see [`run_to_end`]).
pub fn run_client(
    args: &[String],
    dir: PathBuf,
    timeout: Duration,
) -> Result<(String, String), String> {
    run_to_end(&binary("client")?.to_string_lossy(), args, dir, timeout)
}
