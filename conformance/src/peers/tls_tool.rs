//! Command-line TLS peers on 127.0.0.1: OpenSSL's `openssl s_server` and
//! `openssl s_client` (with `-quiet`) and GnuTLS's `gnutls-cli` (with
//! `--logfile`), each run so that its stdout is exactly the application data
//! it received and its stdin is what it sends. Certificates and keys go to a
//! private temporary folder as PEM. The process is stopped by its pid
//! (Child::kill) when the peer is dropped, also when the case fails.
//!
//! `gnutls-serv` is not used: it cannot be told to listen on loopback only.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::Need;

/// What an OpenSSL case needs.
pub const OPENSSL: Need = Need::binary("openssl", "openssl");

/// What a GnuTLS case needs.
pub const GNUTLS: Need = Need::binary("gnutls-cli", "gnutls-bin");

/// A running `openssl s_server`, `openssl s_client` or `gnutls-cli`.
pub struct ToolPeer {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    readers: Vec<JoinHandle<()>>,
    dir: PathBuf,
    /// How much of stdout earlier `wait_for`s consumed.
    seen: usize,
}

fn b64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in data.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// DER as PEM with the given label.
pub fn pem(label: &str, der: &[u8]) -> String {
    let body = b64(der);
    let mut s = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        s.push_str(std::str::from_utf8(line).unwrap_or_default());
        s.push('\n');
    }
    s.push_str(&format!("-----END {label}-----\n"));
    s
}

/// A port free on 127.0.0.1 (bound, then released) for a peer to listen
/// on. Taken below the kernel's ephemeral range (ip_local_port_range,
/// 32768-60999 by default), so no outgoing connection of a case running
/// beside this one gets it as its source port before the peer binds it,
/// and never handed out twice in one run (two cases once drew the same
/// port from bind(0) and each met the other's openssl s_server).
pub fn free_port() -> Result<u16, String> {
    use std::sync::atomic::{AtomicU32, Ordering};
    const LOW: u32 = 20_000;
    const SPAN: u32 = 12_768;
    static NEXT: AtomicU32 = AtomicU32::new(0);
    // Runs side by side on one machine start apart.
    let offset = std::process::id().wrapping_mul(97) % SPAN;
    for _ in 0..SPAN {
        let k = NEXT.fetch_add(1, Ordering::Relaxed);
        let port = (LOW + (offset + k) % SPAN) as u16;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return Ok(port);
        }
    }
    Err(format!("no free port in {LOW}-{}", LOW + SPAN - 1))
}

/// Whether something listens on 127.0.0.1:`port` (Linux /proc/net/tcp,
/// state 0A), found without connecting (a probe would use up the server's
/// one accept).
fn listening(port: u16) -> bool {
    let want = format!("0100007F:{port:04X}");
    std::fs::read_to_string("/proc/net/tcp").is_ok_and(|t| {
        t.lines().any(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            f.len() > 3 && f[1] == want && f[3] == "0A"
        })
    })
}

/// A fresh folder under the temporary directory for one peer's files.
pub fn scratch_dir(tag: &str) -> Result<PathBuf, String> {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!(
        "handshake-openssl-{}-{tag}-{n}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    Ok(dir)
}

impl ToolPeer {
    /// Runs `program` with `args` in the scratch folder `dir` (see
    /// [`ToolPeer::scratch`]), its stdin and stdout piped as for the others.
    pub fn program(program: &str, args: &[String], dir: PathBuf) -> Result<Self, String> {
        Self::spawn(program, args, dir)
    }

    /// A new private scratch folder, named after `tag`.
    pub fn scratch(tag: &str) -> Result<PathBuf, String> {
        scratch_dir(tag)
    }

    /// Everything the program wrote to stdout so far.
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout.lock().map(|v| v.clone()).unwrap_or_default())
            .into_owned()
    }

    /// Waits up to `timeout` for the process to exit by itself; true if it did.
    pub fn wait_exit(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if self.exited() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// Waits for the process (call once it has exited, see
    /// [`wait_exit`](Self::wait_exit)) and for its output: whether it
    /// exited with success, its stdout and its stderr.
    pub fn into_output(mut self) -> (bool, String, String) {
        let ok = self.child.wait().is_ok_and(|s| s.success());
        self.stdin = None;
        for r in self.readers.drain(..) {
            let _ = r.join();
        }
        (ok, self.stdout_text(), self.stderr_text())
    }

    /// The process id (for a signal other than the kill on drop).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    fn spawn(program: &str, args: &[String], dir: PathBuf) -> Result<Self, String> {
        let mut child = Command::new(program)
            .args(args)
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("starting {program}: {e}"))?;
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let mut readers = Vec::new();
        let pipe = |mut r: Box<dyn Read + Send>, buf: Arc<Mutex<Vec<u8>>>| {
            std::thread::spawn(move || {
                let mut b = [0u8; 4096];
                while let Ok(n) = r.read(&mut b) {
                    if n == 0 {
                        break;
                    }
                    if let Ok(mut v) = buf.lock() {
                        v.extend_from_slice(&b[..n]);
                    }
                }
            })
        };
        if let Some(o) = child.stdout.take() {
            readers.push(pipe(Box::new(o), stdout.clone()));
        }
        if let Some(e) = child.stderr.take() {
            readers.push(pipe(Box::new(e), stderr.clone()));
        }
        let stdin = child.stdin.take();
        Ok(ToolPeer {
            child,
            stdin,
            stdout,
            stderr,
            readers,
            dir,
            seen: 0,
        })
    }

    /// `openssl s_server` on a free port of 127.0.0.1 with `chain` (leaf
    /// first, DER) and the leaf's PKCS#8 DER key, for one connection, plus
    /// `extra` options (`-tls1_2`, `-cipher ...`). Returns once it listens.
    pub fn server(
        chain: &[Vec<u8>],
        key_pkcs8: &[u8],
        extra: &[&str],
    ) -> Result<(Self, u16), String> {
        Self::server_for(chain, key_pkcs8, extra, 1)
    }

    /// [`ToolPeer::server`] for `connections` connections in turn.
    pub fn server_for(
        chain: &[Vec<u8>],
        key_pkcs8: &[u8],
        extra: &[&str],
        connections: u32,
    ) -> Result<(Self, u16), String> {
        Self::server_opts(chain, key_pkcs8, extra, connections, true)
    }

    /// [`ToolPeer::server`] without `-quiet`, for one connection: s_server
    /// then prints its diagnostics and reads command letters from stdin
    /// (a line `c` asks for post-handshake client authentication, `k` sends
    /// a KeyUpdate; a line starting with `Q`, `q`, `P` or `S` is a command
    /// too, not data).
    pub fn server_commands(
        chain: &[Vec<u8>],
        key_pkcs8: &[u8],
        extra: &[&str],
    ) -> Result<(Self, u16), String> {
        Self::server_opts(chain, key_pkcs8, extra, 1, false)
    }

    fn server_opts(
        chain: &[Vec<u8>],
        key_pkcs8: &[u8],
        extra: &[&str],
        connections: u32,
        quiet: bool,
    ) -> Result<(Self, u16), String> {
        let dir = scratch_dir("server")?;
        let w = |name: &str, text: String| {
            std::fs::write(dir.join(name), text).map_err(|e| e.to_string())
        };
        w("cert.pem", pem("CERTIFICATE", &chain[0]))?;
        w(
            "chain.pem",
            chain[1..].iter().map(|c| pem("CERTIFICATE", c)).collect(),
        )?;
        w("key.pem", pem("PRIVATE KEY", key_pkcs8))?;
        let port = free_port()?;
        let mut args: Vec<String> = [
            "s_server",
            "-accept",
            &format!("127.0.0.1:{port}"),
            "-cert",
            "cert.pem",
            "-key",
            "key.pem",
            "-naccept",
            &connections.to_string(),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        if quiet {
            args.push("-quiet".to_string());
        }
        if chain.len() > 1 {
            args.extend(["-cert_chain".to_string(), "chain.pem".to_string()]);
        }
        args.extend(extra.iter().map(|s| s.to_string()));
        let mut peer = Self::spawn("openssl", &args, dir)?;
        let deadline = Instant::now() + Duration::from_secs(10);
        while !listening(port) {
            if Instant::now() > deadline || peer.exited() {
                return Err(format!(
                    "openssl s_server did not listen on {port}: {}",
                    peer.stderr_text()
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok((peer, port))
    }

    /// `openssl s_client` to 127.0.0.1:`port`, trusting `ca_der`, checking
    /// the name "localhost" and failing on any verification error, plus
    /// `extra` options.
    pub fn client(ca_der: &[u8], port: u16, extra: &[&str]) -> Result<Self, String> {
        let dir = scratch_dir("client")?;
        std::fs::write(dir.join("ca.pem"), pem("CERTIFICATE", ca_der))
            .map_err(|e| e.to_string())?;
        let mut args: Vec<String> = [
            "s_client",
            "-connect",
            &format!("127.0.0.1:{port}"),
            "-servername",
            "localhost",
            "-CAfile",
            "ca.pem",
            "-verify_return_error",
            "-verify_hostname",
            "localhost",
            "-quiet",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.extend(extra.iter().map(|s| s.to_string()));
        Self::spawn("openssl", &args, dir)
    }

    /// `gnutls-cli` to 127.0.0.1:`port`, trusting `ca_der`, checking the
    /// name "localhost" (sent as SNI too), with the GnuTLS `priority` string;
    /// its diagnostics go to a log file, its stdout is the data received.
    pub fn gnutls_client(ca_der: &[u8], port: u16, priority: &str) -> Result<Self, String> {
        Self::gnutls_client_with(ca_der, port, priority, &[])
    }

    /// [`gnutls_client`](Self::gnutls_client) with `extra` arguments.
    pub fn gnutls_client_with(
        ca_der: &[u8],
        port: u16,
        priority: &str,
        extra: &[&str],
    ) -> Result<Self, String> {
        let dir = scratch_dir("gnutls")?;
        std::fs::write(dir.join("ca.pem"), pem("CERTIFICATE", ca_der))
            .map_err(|e| e.to_string())?;
        let mut args: Vec<String> = vec![
            "-p".into(),
            port.to_string(),
            "127.0.0.1".into(),
            "--x509cafile".into(),
            "ca.pem".into(),
            "--verify-hostname".into(),
            "localhost".into(),
            "--sni-hostname".into(),
            "localhost".into(),
            "--logfile".into(),
            "gnutls.log".into(),
            format!("--priority={priority}"),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        Self::spawn("gnutls-cli", &args, dir)
    }

    /// Sends `data` to the TLS peer (through the program's stdin).
    pub fn send(&mut self, data: &[u8]) -> Result<(), String> {
        let s = self.stdin.as_mut().ok_or("stdin closed")?;
        s.write_all(data)
            .and_then(|_| s.flush())
            .map_err(|e| format!("writing to openssl: {e}"))
    }

    /// Waits until the application data received since the last
    /// successful wait contains `needle`.
    pub fn wait_for(&mut self, needle: &[u8], timeout: Duration) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        loop {
            let all = self.stdout.lock().map(|v| v.clone()).unwrap_or_default();
            let got = &all[self.seen.min(all.len())..];
            if let Some(at) = got.windows(needle.len()).position(|w| w == needle) {
                self.seen += at + needle.len();
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "the peer did not receive {:?} (got {:?}); stderr: {}",
                    String::from_utf8_lossy(needle),
                    String::from_utf8_lossy(got),
                    self.stderr_text()
                ));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Whether the process has ended.
    pub fn exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    /// What the program wrote to stderr so far (and gnutls-cli to its log).
    pub fn stderr_text(&self) -> String {
        let mut t =
            String::from_utf8_lossy(&self.stderr.lock().map(|v| v.clone()).unwrap_or_default())
                .into_owned();
        if let Ok(log) = std::fs::read_to_string(self.dir.join("gnutls.log")) {
            t.push_str(&log);
        }
        t
    }

    /// The scratch folder (certificates, keys).
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for ToolPeer {
    fn drop(&mut self) {
        // Stopped by its pid, then reaped.
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.stdin = None;
        for r in self.readers.drain(..) {
            let _ = r.join();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
