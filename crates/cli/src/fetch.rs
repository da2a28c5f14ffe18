//! `handshake fetch`: URL -> DNS -> TCP -> TLS (https) -> HTTP/1.1 request
//! -> response -> close, each step on the `--trace` ladder.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{anyhow, bail, Context, Result};
use handshake_http::{Method, Request, Response};
use handshake_io::http::Client;
use handshake_io::tls::{Connection, TlsStream};
use handshake_tls::ClientConfig;
use serde_json::json;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use url::Url;

use crate::common;
use crate::ladder::{Dir, Ladder};
use crate::resolve;
use crate::via::{self, Tun, Via};

/// `handshake fetch`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The URLs (http:// or https://); consecutive URLs of one origin
    /// share one connection while the server keeps it open (keep-alive)
    #[arg(required = true)]
    urls: Vec<String>,
    /// Request method (default GET, or POST with -d)
    #[arg(short = 'X', long = "request")]
    method: Option<String>,
    /// Request body; @FILE reads it from FILE
    #[arg(short = 'd', long)]
    data: Option<String>,
    /// An extra header field, "Name: value" (repeatable)
    #[arg(short = 'H', long = "header")]
    headers: Vec<String>,
    /// Write the bodies to FILE instead of stdout
    #[arg(short = 'o', long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    dns: common::DnsArgs,
    /// Trust anchors, PEM (default: the system store, /etc/ssl/certs/ca-certificates.crt)
    #[arg(long)]
    cafile: Option<PathBuf>,
    /// Append the TLS secrets to FILE in the NSS key-log format (for Wireshark)
    #[arg(long)]
    keylog: Option<PathBuf>,
    /// Print the ladder of the exchange, with timings, on stderr
    #[arg(long)]
    trace: bool,
    /// Print a JSON summary on stdout: {"exchanges": [{"url", "status", "headers",
    /// "body_bytes", "connection"}], "trace": [...]}; bodies go to -o FILE only
    #[arg(long)]
    json: bool,
    /// How the bytes travel: the OS's TCP/IP, or our own from IP up through a
    /// TUN device in a private network namespace whose kernel relays to the
    /// server, or from Ethernet up through a TAP device (Linux; needs root or
    /// CAP_NET_ADMIN). With tun or tap, --trace shows every segment of the
    /// handshakes and closes with its real numbers; with tap, the ARP
    /// exchange that finds the kernel's MAC first
    #[arg(long, value_enum, default_value_t = Via::Kernel)]
    via: Via,
    /// Write every packet of the TCP connections to FILE (pcap, raw IPv4;
    /// Wireshark opens it, with --keylog for https). Needs --via tun or tap. DNS
    /// goes through the OS's sockets and is not in the capture
    #[arg(long, value_name = "FILE")]
    pcap: Option<PathBuf>,
    /// Be an attacker on the path: flip the last byte of the server's Nth
    /// data segment in flight, checksums made right again (needs --via tun or tap).
    /// Plain http delivers the altered bytes; https stops with bad_record_mac
    #[arg(long, value_name = "N")]
    tamper: Option<u32>,
    /// Seconds allowed for each step (DNS lookup, connect, TLS handshake, response)
    #[arg(long, default_value_t = 30)]
    timeout: u64,
}

/// A byte stream: TCP (the kernel's or ours), or TLS over it.
pub(crate) trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// An open connection and the origin it talks to.
struct Open {
    origin: (String, String, u16),
    peer: SocketAddr,
    client: Client<Box<dyn Io>>,
    number: usize,
    tls: bool,
    /// Our TCP/IP carries it (`--via tun`).
    tun: bool,
}

/// The checked URL.
struct Target {
    url: Url,
    host: String,
    port: u16,
    tls: bool,
}

fn target(s: &str) -> Result<Target> {
    let url = Url::parse(s).map_err(|e| anyhow!("invalid URL {s:?}: {e}"))?;
    let tls = match url.scheme() {
        "http" => false,
        "https" => true,
        other => bail!("invalid URL {s:?}: scheme {other:?} is not http or https"),
    };
    let host = match url.host() {
        Some(url::Host::Ipv6(a)) => a.to_string(),
        Some(h) => h.to_string(),
        None => bail!("invalid URL {s:?}: no host"),
    };
    let port = url
        .port_or_known_default()
        .ok_or_else(|| anyhow!("invalid URL {s:?}: no port"))?;
    Ok(Target {
        url,
        host,
        port,
        tls,
    })
}

/// `handshake fetch`.
pub async fn run(a: Args) -> Result<()> {
    let targets: Vec<Target> = a.urls.iter().map(|u| target(u)).collect::<Result<_>>()?;
    via::check(a.via, a.pcap.as_deref(), a.tamper)?;
    let body = match &a.data {
        Some(d) => match d.strip_prefix('@') {
            Some(path) => std::fs::read(path).with_context(|| format!("-d @{path}"))?,
            None => d.clone().into_bytes(),
        },
        None => Vec::new(),
    };
    let method = match (&a.method, &a.data) {
        (Some(m), _) => {
            Method::from_token(m).ok_or_else(|| anyhow!("-X {m}: not a method token"))?
        }
        (None, Some(_)) => Method::Post,
        (None, None) => Method::Get,
    };
    let extra = a
        .headers
        .iter()
        .map(|h| {
            h.split_once(':')
                .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
                .ok_or_else(|| anyhow!("-H {h:?}: not \"Name: value\""))
        })
        .collect::<Result<Vec<_>>>()?;
    let tls_config = if targets.iter().any(|t| t.tls) {
        Some(Arc::new(common::client_config(
            a.cafile.as_deref(),
            a.keylog.as_deref(),
        )?))
    } else {
        None
    };
    let mut out: Box<dyn Write + Send> = match common::output_path(&a.output) {
        Some(p) => {
            Box::new(std::fs::File::create(p).with_context(|| format!("-o {}", p.display()))?)
        }
        None if a.json => Box::new(std::io::sink()),
        None => Box::new(std::io::stdout()),
    };
    let resolver = common::resolver(&a.dns)?;
    let mut ladder = Ladder::new();
    let mut tun = (a.via != Via::Kernel).then(|| Tun::new(a.tamper, a.via == Via::Tap));
    let mut open: Option<Open> = None;
    let mut connections = 0;
    let mut exchanges = Vec::new();
    let result: Result<()> = async {
        for t in &targets {
            let origin = (t.url.scheme().to_string(), t.host.clone(), t.port);
            let reuse = open
                .as_ref()
                .is_some_and(|o| o.origin == origin && o.client.is_reusable());
            if !reuse {
                if let Some(mut o) = open.take() {
                    close(&mut o, &mut ladder, tun.as_mut()).await;
                }
                connections += 1;
                open = Some(connect(t, &resolver, tls_config.as_ref(), a.timeout, &mut ladder, connections, tun.as_mut()).await?);
            } else if let Some(o) = &open {
                ladder.step("HTTP", Dir::Note, format!("reusing connection {} to {} (keep-alive)", o.number, o.peer));
            }
            let Some(o) = open.as_mut() else {
                bail!("internal error: no open connection")
            };
            let req = request(t, &method, &extra);
            let progress = !a.json && common::colour_stderr();
            let (head, n) = exchange(o, &req, &body, &mut *out, a.timeout, &mut ladder, progress).await?;
            exchanges.push(json!({
                "url": t.url.as_str(),
                "status": head.status,
                "reason": head.reason,
                "version": head.version.as_str(),
                "headers": head.headers.iter().map(|f| json!([f.name, String::from_utf8_lossy(&f.value)])).collect::<Vec<_>>(),
                "body_bytes": n,
                "connection": o.number,
                "peer": o.peer.to_string(),
            }));
        }
        Ok(())
    }
    .await;
    if let Some(mut o) = open.take() {
        close(&mut o, &mut ladder, tun.as_mut()).await;
    }
    out.flush()?;
    if let Some(tun) = tun.as_mut() {
        tun.settle(&mut ladder).await;
    }
    let captured = match (&a.pcap, &tun) {
        (Some(path), Some(tun)) => Some((path, tun.write_pcap(path)?)),
        _ => None,
    };
    if a.trace {
        eprint!("{}", ladder.render(common::colour_stderr()));
    }
    result.map_err(with_alert)?;
    if let Some((path, n)) = captured {
        if !a.json {
            eprintln!(
                "handshake: {n} packets of our TCP connection(s) written to {} (DNS went through the OS's sockets and is not in it)",
                path.display()
            );
        }
    }
    if a.json {
        common::print_json(&json!({ "exchanges": exchanges, "trace": ladder.to_json() }))?;
    }
    Ok(())
}

/// `e` with the alert our TLS machine sent for it (RFC 8446 §6.2), by name,
/// when a TLS failure is behind it and the line does not say so yet.
fn with_alert(e: anyhow::Error) -> anyhow::Error {
    if format!("{e:#}").contains("alert sent") {
        return e;
    }
    let alert = e.chain().find_map(|c| {
        let t = match c.downcast_ref::<std::io::Error>() {
            Some(io) => handshake_io::tls::TlsError::from_io(io)?,
            None => c.downcast_ref::<handshake_io::tls::TlsError>()?,
        };
        match t {
            handshake_io::tls::TlsError::Tls(t) => t.alert(),
            _ => None,
        }
    });
    match alert {
        Some(a) => e.context(format!("{} alert sent", a.name())),
        None => e,
    }
}

fn request(t: &Target, method: &Method, extra: &[(String, String)]) -> Request {
    let mut target = t.url.path().to_string();
    if let Some(q) = t.url.query() {
        target.push('?');
        target.push_str(q);
    }
    let mut req = Request::new(method.clone(), target);
    // RFC 9112 §3.2: Host is the target URI's authority, without userinfo;
    // the port is left out when it is the scheme's default.
    let host = match t.url.host() {
        Some(url::Host::Ipv6(a)) => format!("[{a}]"),
        _ => t.host.clone(),
    };
    let authority = match t.url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host,
    };
    req.headers.append("Host", authority);
    req.headers.append(
        "User-Agent",
        concat!("handshake/", env!("CARGO_PKG_VERSION")),
    );
    req.headers.append("Accept", "*/*");
    for (n, v) in extra {
        req.headers.remove(n);
        req.headers.append(n.clone(), v.clone().into_bytes());
    }
    req
}

async fn connect(
    t: &Target,
    resolver: &handshake_io::resolver::Resolver,
    tls: Option<&Arc<ClientConfig>>,
    timeout: u64,
    ladder: &mut Ladder,
    number: usize,
    mut tun: Option<&mut Tun>,
) -> Result<Open> {
    let addrs = match t.host.parse::<std::net::IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => resolve::addresses(resolver, &t.host, timeout, ladder).await?,
    };
    let mut last = None;
    let mut tcp = None;
    for ip in addrs {
        let addr = SocketAddr::new(ip, t.port);
        if let Some(tun) = tun.as_deref_mut() {
            match tun.connect(addr, timeout, ladder).await {
                Ok(s) => {
                    tcp = Some((Conn::Tun(s), addr));
                    break;
                }
                Err(e) => {
                    ladder.step("TCP", Dir::In, format!("{e:#}"));
                    last = Some(e);
                    continue;
                }
            }
        }
        ladder.step(
            "TCP",
            Dir::Out,
            format!("SYN to {addr} (connection {number})"),
        );
        let what = format!("connecting to {addr}");
        match common::within(timeout, &what, async {
            TcpStream::connect(addr)
                .await
                .map_err(|e| anyhow!("cannot connect to {addr}: {e}"))
        })
        .await
        {
            Ok(s) => {
                let local = s.local_addr().map(|a| a.to_string()).unwrap_or_default();
                ladder.step(
                    "TCP",
                    Dir::In,
                    format!("SYN-ACK from {addr}; ACK: connected from {local}"),
                );
                let _ = s.set_nodelay(true);
                tcp = Some((Conn::Kernel(s), addr));
                break;
            }
            Err(e) => {
                ladder.step("TCP", Dir::In, format!("{e:#}"));
                last = Some(e);
            }
        }
    }
    let Some((tcp, peer)) = tcp else {
        return Err(last.unwrap_or_else(|| anyhow!("no address for {}", t.host)));
    };
    let tun = matches!(tcp, Conn::Tun(_));
    let tcp: Box<dyn Io> = match tcp {
        Conn::Kernel(s) => Box::new(s),
        Conn::Tun(s) => s,
    };
    let stream: Box<dyn Io> = match (t.tls, tls) {
        (false, _) => tcp,
        (true, None) => bail!("internal error: no TLS configuration"),
        (true, Some(cfg)) => Box::new(handshake(cfg, &t.host, tcp, timeout, ladder).await?),
    };
    Ok(Open {
        origin: (t.url.scheme().to_string(), t.host.clone(), t.port),
        peer,
        client: Client::new(stream),
        number,
        tls: t.tls,
        tun,
    })
}

/// The connection under TLS and HTTP.
enum Conn {
    /// The kernel's TCP.
    Kernel(TcpStream),
    /// Ours, through the TUN device.
    Tun(Box<dyn Io>),
}

/// Our TLS client's handshake over `tcp`, its trace on the ladder.
async fn handshake(
    cfg: &Arc<ClientConfig>,
    name: &str,
    tcp: Box<dyn Io>,
    timeout: u64,
    ladder: &mut Ladder,
) -> Result<TlsStream<Box<dyn Io>>> {
    let conn =
        Connection::client(Arc::clone(cfg), name).map_err(|e| anyhow!("TLS with {name}: {e}"))?;
    let mut s = TlsStream::new(conn, tcp);
    ladder.step("TLS", Dir::Note, format!("handshake with {name} begins"));
    let what = format!("in the TLS handshake with {name}");
    let r = common::within(timeout, &what, async {
        s.handshake().await.map_err(|e| {
            // The alert our machine sent for it (RFC 8446 §6.2), by name.
            let alert = match &e {
                handshake_io::tls::TlsError::Tls(t) => t
                    .alert()
                    .map(|a| format!(" ({} alert sent)", a.name()))
                    .unwrap_or_default(),
                _ => String::new(),
            };
            anyhow!("TLS handshake with {name} failed: {e}{alert}")
        })
    })
    .await;
    if let Some(c) = s.connection().as_client() {
        for line in c.trace() {
            let text = line.to_string();
            let dir = match text.get(..2) {
                Some("->") => Dir::Out,
                Some("<-") => Dir::In,
                _ => Dir::Note,
            };
            ladder.untimed("TLS", dir, text.get(3..).unwrap_or("").trim().to_string());
        }
        match &r {
            Ok(()) => ladder.step(
                "TLS",
                Dir::Note,
                format!("handshake done: {}", crate::tlsinfo::describe(c)),
            ),
            Err(_) => ladder.step("TLS", Dir::Note, "handshake failed"),
        }
    }
    r?;
    Ok(s)
}

async fn exchange(
    o: &mut Open,
    req: &Request,
    body: &[u8],
    out: &mut (dyn Write + Send),
    timeout: u64,
    ladder: &mut Ladder,
    progress: bool,
) -> Result<(Response, u64)> {
    ladder.step(
        "HTTP",
        Dir::Out,
        format!("{} {} {}", req.method, req.target, req.version.as_str()),
    );
    let what = "waiting for the response".to_string();
    let head = common::within(timeout, &what, async {
        o.client
            .send_request(req, body)
            .await
            .context("sending the request")?;
        o.client.read_head().await.context("reading the response")
    })
    .await?;
    for i in o.client.interim() {
        ladder.step(
            "HTTP",
            Dir::In,
            format!("{} {} {} (interim)", i.version.as_str(), i.status, i.reason),
        );
    }
    ladder.step(
        "HTTP",
        Dir::In,
        format!("{} {} {}", head.version.as_str(), head.status, head.reason),
    );
    let bar = progress_bar(&head, progress);
    let mut n = 0u64;
    let mut write_err = None;
    let trailers = common::within(timeout, "reading the body", async {
        o.client
            .read_body(&mut |d| {
                n += d.len() as u64;
                bar.inc(d.len() as u64);
                out.write_all(d)
                    .inspect_err(|e| write_err = Some(e.to_string()))
            })
            .await
            .context("reading the body")
    })
    .await;
    bar.finish_and_clear();
    if let Some(e) = write_err {
        bail!("writing the body: {e}");
    }
    let trailers = trailers?;
    ladder.step(
        "HTTP",
        Dir::In,
        format!(
            "body: {n} bytes{}",
            if trailers.is_empty() {
                String::new()
            } else {
                format!(", {} trailer field(s)", trailers.len())
            }
        ),
    );
    Ok((head, n))
}

/// Bodies at least this long get a progress bar on a terminal.
const PROGRESS_FROM: u64 = 1 << 20;

/// A progress bar on stderr for a body of a known length of at least
/// [`PROGRESS_FROM`] when `show` (stderr is a terminal and nothing else
/// writes there); a hidden one otherwise.
fn progress_bar(head: &Response, show: bool) -> indicatif::ProgressBar {
    let len = head
        .headers
        .get("content-length")
        .and_then(|v| std::str::from_utf8(v).ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    match len {
        Some(len) if show && len >= PROGRESS_FROM => {
            let bar = indicatif::ProgressBar::new(len);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} {eta}",
            ) {
                bar.set_style(style);
            }
            bar
        }
        _ => indicatif::ProgressBar::hidden(),
    }
}

async fn close(o: &mut Open, ladder: &mut Ladder, tun: Option<&mut Tun>) {
    if o.tls {
        ladder.step("TLS", Dir::Out, "close_notify alert");
    }
    if !o.tun {
        ladder.step(
            "TCP",
            Dir::Out,
            format!("FIN: close connection {} to {}", o.number, o.peer),
        );
    }
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), o.client.shutdown()).await;
    if let (true, Some(tun)) = (o.tun, tun) {
        tun.closed(ladder).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let t = target("https://example.com/a?b=c").unwrap();
        assert_eq!((t.host.as_str(), t.port, t.tls), ("example.com", 443, true));
        let r = request(&t, &Method::Get, &[]);
        assert_eq!(r.target, "/a?b=c");
        assert_eq!(r.headers.get("host"), Some(&b"example.com"[..]));
        let t = target("http://[::1]:8080/").unwrap();
        assert_eq!((t.host.as_str(), t.port), ("::1", 8080));
        assert_eq!(
            request(&t, &Method::Get, &[]).headers.get("host"),
            Some(&b"[::1]:8080"[..])
        );
        assert!(target("ftp://x/").is_err());
        assert!(target("not a url").is_err());
        assert!(target("http://").is_err());
    }
}
