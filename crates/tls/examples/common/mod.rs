//! What the `client` and `server` examples share: the TLS options both
//! take, PEM loading, an NSS key-log file, and the sans-IO loop that moves
//! bytes between a machine and a `std::net::TcpStream`.
//!
//! The loop is the whole of "doing I/O" for a sans-IO TLS machine:
//!
//! 1. write whatever `poll_transmit` has for the peer;
//! 2. read what the socket has and give it to `read_tls`;
//! 3. take `poll_event`s: handshake complete, application data, close_notify.
//!
//! (handshake-io wraps the same loop as `TlsStream` for tokio and blocking
//! streams; the examples cannot use it, since handshake-io depends on this
//! crate.)
#![allow(dead_code)] // each example uses its part

use std::fs::File;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use handshake_tls::suites::{TLS12, TLS13};
use handshake_tls::{
    nss_key_log_line, CipherSuite, ClientConnection, Error, Event, KeyLog, NamedGroup,
    ServerConnection, Tls12Suite,
};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

/// TLS options both examples take.
#[derive(clap::Args, Debug)]
pub struct TlsOptions {
    /// Protocol versions to enable: 1.3, 1.2 (comma-separated or repeated;
    /// default both)
    #[arg(long = "protocol", value_delimiter = ',', value_parser = ["1.3", "1.2"])]
    pub protocols: Vec<String>,
    /// Cipher suites by IANA name, e.g. TLS_AES_128_GCM_SHA256 or
    /// TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (comma-separated or repeated;
    /// default: every TLS 1.3 suite and the forward-secret TLS 1.2 ones).
    /// Naming suites enables exactly those; a version left without one is
    /// disabled.
    #[arg(long = "suite", value_delimiter = ',')]
    pub suites: Vec<String>,
    /// Key exchange groups in preference order: x25519, secp256r1
    #[arg(long = "group", value_delimiter = ',')]
    pub groups: Vec<String>,
    /// Append every secret of the session to this file in the NSS key-log
    /// format (SSLKEYLOGFILE), for Wireshark; the SSLKEYLOGFILE variable
    /// does the same
    #[arg(long)]
    pub keylog: Option<PathBuf>,
    /// Print the handshake trace (messages and secret labels) to stderr
    #[arg(long)]
    pub trace: bool,
}

/// The lists a config takes, as the options set them.
pub struct Chosen {
    pub versions: Vec<u16>,
    pub suites13: Vec<CipherSuite>,
    pub suites12: Vec<Tls12Suite>,
    pub groups: Vec<NamedGroup>,
    pub key_log: Option<Arc<dyn KeyLog>>,
}

impl TlsOptions {
    /// Applies the options over the crate's defaults.
    pub fn choose(&self) -> Result<Chosen, String> {
        let mut versions = if self.protocols.is_empty() {
            vec![TLS13, TLS12]
        } else {
            self.protocols
                .iter()
                .map(|p| if p == "1.3" { TLS13 } else { TLS12 })
                .collect()
        };
        let mut suites13 = CipherSuite::ALL.to_vec();
        let mut suites12 = Tls12Suite::DEFAULT.to_vec();
        if !self.suites.is_empty() {
            suites13.clear();
            suites12.clear();
            for name in &self.suites {
                if let Some(s) = CipherSuite::ALL
                    .into_iter()
                    .find(|s| s.name().eq_ignore_ascii_case(name))
                {
                    suites13.push(s);
                } else if let Some(s) = Tls12Suite::ALL
                    .iter()
                    .find(|s| s.name().eq_ignore_ascii_case(name))
                {
                    suites12.push(*s);
                } else {
                    return Err(format!("unknown cipher suite {name}"));
                }
            }
            versions.retain(|v| {
                (*v == TLS13 && !suites13.is_empty()) || (*v == TLS12 && !suites12.is_empty())
            });
            if versions.is_empty() {
                return Err("no enabled version has a suite left".into());
            }
        }
        let mut groups = NamedGroup::DEFAULT.to_vec();
        if !self.groups.is_empty() {
            groups = self
                .groups
                .iter()
                .map(|name| {
                    NamedGroup::ALL
                        .into_iter()
                        .find(|g| g.name().eq_ignore_ascii_case(name))
                        .ok_or_else(|| format!("unknown group {name}"))
                })
                .collect::<Result<_, _>>()?;
        }
        let path = self
            .keylog
            .clone()
            .or_else(|| std::env::var_os("SSLKEYLOGFILE").map(PathBuf::from));
        let key_log = match path {
            Some(p) => Some(Arc::new(KeyLogFile::open(&p)?) as Arc<dyn KeyLog>),
            None => None,
        };
        Ok(Chosen {
            versions,
            suites13,
            suites12,
            groups,
            key_log,
        })
    }
}

/// An NSS key-log file, appended to.
pub struct KeyLogFile(Mutex<File>);

impl KeyLogFile {
    pub fn open(path: &Path) -> Result<Self, String> {
        let f = File::options()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(KeyLogFile(Mutex::new(f)))
    }
}

impl KeyLog for KeyLogFile {
    fn log(&self, label: &str, client_random: &[u8; 32], secret: &[u8]) {
        if let Ok(mut f) = self.0.lock() {
            let _ = writeln!(f, "{}", nss_key_log_line(label, client_random, secret));
        }
    }
}

/// Every certificate in a PEM file, in order.
pub fn load_certs(path: &Path) -> Result<Vec<Vec<u8>>, String> {
    let certs: Vec<Vec<u8>> = CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .map(|c| c.map(|c| c.to_vec()))
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!("{}: no CERTIFICATE in it", path.display()));
    }
    Ok(certs)
}

/// The private key of a PEM file, which must be PKCS#8 ("PRIVATE KEY", as
/// `openssl genpkey` writes it).
pub fn load_pkcs8_key(path: &Path) -> Result<Vec<u8>, String> {
    match PrivateKeyDer::from_pem_file(path).map_err(|e| format!("{}: {e}", path.display()))? {
        PrivateKeyDer::Pkcs8(k) => Ok(k.secret_pkcs8_der().to_vec()),
        _ => Err(format!(
            "{}: not PKCS#8; convert it with `openssl pkcs8 -topk8 -nocrypt`",
            path.display()
        )),
    }
}

/// Seconds since the Unix epoch, for certificate validity.
pub fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// What the loop needs of our client or server.
pub trait Tls {
    fn read_tls(&mut self, b: &[u8]) -> Result<(), Error>;
    fn poll_transmit(&mut self) -> Option<Vec<u8>>;
    fn poll_event(&mut self) -> Option<Event>;
    fn is_handshaking(&self) -> bool;
    fn send(&mut self, d: &[u8]) -> Result<(), Error>;
    fn close(&mut self);
    /// "TLS 1.3, TLS_AES_128_GCM_SHA256, x25519": what the handshake agreed on.
    fn describe(&self) -> String;
    fn trace_lines(&self) -> Vec<String>;
}

macro_rules! tls {
    ($t:ty) => {
        impl Tls for $t {
            fn read_tls(&mut self, b: &[u8]) -> Result<(), Error> {
                <$t>::read_tls(self, b)
            }
            fn poll_transmit(&mut self) -> Option<Vec<u8>> {
                <$t>::poll_transmit(self)
            }
            fn poll_event(&mut self) -> Option<Event> {
                <$t>::poll_event(self)
            }
            fn is_handshaking(&self) -> bool {
                <$t>::is_handshaking(self)
            }
            fn send(&mut self, d: &[u8]) -> Result<(), Error> {
                <$t>::send(self, d)
            }
            fn close(&mut self) {
                <$t>::close(self)
            }
            fn describe(&self) -> String {
                if let Some(n) = self.negotiated() {
                    format!("TLS 1.3, {}, {}", n.suite.name(), n.group.name())
                } else if let Some(n) = self.negotiated_tls12() {
                    format!("TLS 1.2, {}", n.suite.name())
                } else {
                    "no handshake".to_string()
                }
            }
            fn trace_lines(&self) -> Vec<String> {
                self.trace().iter().map(|l| l.to_string()).collect()
            }
        }
    };
}
tls!(ClientConnection);
tls!(ServerConnection);

/// What the peer has sent so far.
#[derive(Default)]
pub struct Received {
    /// Application data.
    pub data: Vec<u8>,
    /// The peer sent close_notify.
    pub closed: bool,
    /// The socket reached its end (with or without close_notify).
    pub eof: bool,
}

/// Step 1: writes everything the machine has for the peer.
pub fn flush(conn: &mut dyn Tls, sock: &mut TcpStream) -> Result<(), String> {
    while let Some(bytes) = conn.poll_transmit() {
        sock.write_all(&bytes).map_err(|e| format!("write: {e}"))?;
    }
    Ok(())
}

/// Steps 1 to 3 once: flush, one read from the socket (blocking, up to its
/// read timeout), and the events that read caused. A TLS error is returned
/// after its alert has been sent.
pub fn step(conn: &mut dyn Tls, sock: &mut TcpStream, got: &mut Received) -> Result<(), String> {
    flush(conn, sock)?;
    let mut buf = [0u8; 16 * 1024 + 2048 + 5];
    let n = sock.read(&mut buf).map_err(|e| format!("read: {e}"))?;
    if n == 0 {
        got.eof = true;
        return Ok(());
    }
    let fed = conn.read_tls(&buf[..n]);
    flush(conn, sock)?;
    while let Some(e) = conn.poll_event() {
        match e {
            Event::ApplicationData(d) => got.data.extend_from_slice(&d),
            Event::Closed => got.closed = true,
            _ => {}
        }
    }
    fed.map_err(|e| format!("TLS: {e}"))
}

/// Runs the handshake to its end (or the peer's end of stream).
pub fn handshake(
    conn: &mut dyn Tls,
    sock: &mut TcpStream,
    got: &mut Received,
) -> Result<(), String> {
    while conn.is_handshaking() {
        if got.eof {
            return Err("the peer closed the connection during the handshake".into());
        }
        step(conn, sock, got)?;
    }
    flush(conn, sock)
}
