//! What the subcommands share: the trust store, the key log, resolving,
//! timeouts, JSON output and the one-line error.

use std::fs::File;
use std::future::Future;
use std::io::{IsTerminal, Write};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use handshake_dns::{Hosts, IterConfig, ResolvConf};
use handshake_io::resolver::{root_hints, system_hosts_path, Resolver, Upstream};
use handshake_tls::{nss_key_log_line, ClientConfig, KeyLog, TrustAnchor};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;

/// The system's trust store (Debian's bundle).
pub const SYSTEM_CA_FILE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// Prints `e` as one line on stderr and returns the failure status.
pub fn fail(e: &anyhow::Error) -> ExitCode {
    let line = format!("{e:#}").replace(['\n', '\r'], " ");
    let red = anstyle::Style::new()
        .bold()
        .fg_color(Some(anstyle::AnsiColor::Red.into()));
    if colour_stderr() {
        eprintln!("{red}handshake:{red:#} {line}");
    } else {
        eprintln!("handshake: {line}");
    }
    ExitCode::FAILURE
}

/// Whether stderr gets colour and progress: it is a terminal and `NO_COLOR`
/// (no-color.org) is unset or empty.
pub fn colour_stderr() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

/// Runs `f` for at most `secs` seconds; `what` names it in the error.
pub async fn within<T>(secs: u64, what: &str, f: impl Future<Output = Result<T>>) -> Result<T> {
    match tokio::time::timeout(Duration::from_secs(secs), f).await {
        Ok(r) => r,
        Err(_) => bail!("timed out after {secs} s {what}"),
    }
}

/// The certificates of a PEM file, DER-encoded, in order.
pub fn load_certs(path: &Path) -> Result<Vec<Vec<u8>>> {
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| anyhow!("{}: {e}", path.display()))?
        .map(|c| c.map(|c| c.to_vec()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow!("{}: {e}", path.display()))?;
    if certs.is_empty() {
        bail!("{}: no CERTIFICATE in it", path.display());
    }
    Ok(certs)
}

/// A client configuration trusting the certificates of `cafile` (the
/// system's bundle by default); roots our X.509 code cannot read are skipped.
pub fn client_config(cafile: Option<&Path>, keylog: Option<&Path>) -> Result<ClientConfig> {
    let path = cafile.unwrap_or(Path::new(SYSTEM_CA_FILE));
    let roots: Vec<TrustAnchor> = load_certs(path)?
        .iter()
        .filter_map(|der| TrustAnchor::from_der(der).ok())
        .collect();
    if roots.is_empty() {
        bail!("{}: no usable trust anchor", path.display());
    }
    let mut c = ClientConfig::new(roots);
    c.trace = true;
    if let Some(p) = keylog {
        c.key_log = Some(Arc::new(KeyLogFile::open(p)?));
    }
    Ok(c)
}

/// An NSS key-log file (SSLKEYLOGFILE format), appended to.
pub struct KeyLogFile(Mutex<File>);

impl KeyLogFile {
    /// Opens (creates) `path` for appending.
    pub fn open(path: &Path) -> Result<KeyLogFile> {
        let f = File::options()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| format!("key log {}", path.display()))?;
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

/// How names are resolved: the options `resolve`, `fetch` and `tls` share.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct DnsArgs {
    /// DNS server to ask, ADDR or ADDR:PORT (default: the system's, from resolv.conf)
    #[arg(long, conflicts_with = "iterative")]
    pub server: Option<String>,
    /// Resolve iteratively from the root hints (root, then TLD, then the
    /// authoritative servers; RD=0), as a recursive resolver does, instead
    /// of asking a recursive server (RD=1)
    #[arg(long)]
    pub iterative: bool,
    /// Root hints file for --iterative, in named.root form (default:
    /// /usr/share/dns/root.hints, Debian's dns-root-data)
    #[arg(long, value_name = "FILE", requires = "iterative")]
    pub root_hints: Option<PathBuf>,
}

/// Our resolver: the system's hosts file, then the system's servers, only
/// `--server` (port 53 unless given), or iterative resolution from the root
/// hints with `--iterative`.
pub fn resolver(dns: &DnsArgs) -> Result<Resolver> {
    let hosts = || {
        std::fs::read_to_string(system_hosts_path())
            .map(|t| Hosts::parse(&t))
            .unwrap_or_default()
    };
    if dns.iterative {
        let hints = root_hints(dns.root_hints.as_deref())?;
        let upstream = Upstream::Iterative {
            root_hints: hints.into_servers(),
            config: IterConfig::default(),
            timeout: Duration::from_secs(2),
        };
        return Ok(Resolver::new(hosts(), upstream));
    }
    let Some(s) = dns.server.as_deref() else {
        return Resolver::system().context("reading the system's resolver configuration");
    };
    let addr: SocketAddr = match s.parse::<SocketAddr>() {
        Ok(a) => a,
        Err(_) => SocketAddr::new(
            s.parse::<IpAddr>()
                .map_err(|_| anyhow!("--server {s}: not an IP address or ADDR:PORT"))?,
            53,
        ),
    };
    let conf = ResolvConf {
        nameservers: vec![addr],
        ..ResolvConf::default()
    };
    Ok(Resolver::new(hosts(), Upstream::Stub(conf)))
}

/// Prints `value` as pretty JSON on stdout.
pub fn print_json(value: &serde_json::Value) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

/// `path`, or `None` for "-" (stdout).
pub fn output_path(o: &Option<PathBuf>) -> Option<&Path> {
    o.as_deref().filter(|p| *p != Path::new("-"))
}

/// "TLS 1.3" or "TLS 1.2" for a version number.
pub fn version_name(v: u16) -> String {
    match v {
        0x0304 => "TLS 1.3".into(),
        0x0303 => "TLS 1.2".into(),
        v => format!("0x{v:04x}"),
    }
}
