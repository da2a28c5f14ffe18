//! `handshake tls HOST:PORT`: our TLS client's handshake, what it agreed
//! on, and the certificates the server presented.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, bail, Result};
use handshake_io::tls::{Connection, TlsStream};
use handshake_tls::cert::ParsedCert;
use handshake_tls::ClientConnection;
use serde_json::{json, Value};
use tokio::net::TcpStream;

use crate::common;
use crate::ladder::Ladder;

/// `handshake tls`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The server, HOST:PORT (PORT defaults to 443)
    target: String,
    /// The name to send as SNI and check the certificate against (default: HOST)
    #[arg(long)]
    server_name: Option<String>,
    /// Trust anchors, PEM (default: the system store)
    #[arg(long)]
    cafile: Option<PathBuf>,
    #[command(flatten)]
    dns: common::DnsArgs,
    /// Append the TLS secrets to FILE in the NSS key-log format
    #[arg(long)]
    keylog: Option<PathBuf>,
    /// Seconds allowed for each step
    #[arg(long, default_value_t = 15)]
    timeout: u64,
    /// Print JSON on stdout: {"version", "suite", "group", "certificates": [...], "trace": [...]}
    #[arg(long)]
    json: bool,
}

/// "TLS 1.3, TLS_AES_128_GCM_SHA256, x25519".
pub fn describe(c: &ClientConnection) -> String {
    if let Some(n) = c.negotiated() {
        format!("TLS 1.3, {}, {}", n.suite.name(), n.group.name())
    } else if let Some(n) = c.negotiated_tls12() {
        format!("TLS 1.2, {}", n.suite.name())
    } else {
        "no handshake".to_string()
    }
}

/// A Unix time as `YYYY-MM-DD HH:MM:SS UTC` (civil from days, Howard Hinnant's algorithm).
pub fn utc(secs: u64) -> String {
    let days = (secs / 86400) as i64;
    let rem = secs % 86400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

fn split_target(t: &str) -> Result<(String, u16)> {
    if let Ok(a) = t.parse::<std::net::SocketAddr>() {
        return Ok((a.ip().to_string(), a.port()));
    }
    match t.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => Ok((
            h.trim_matches(['[', ']']).to_string(),
            p.parse().map_err(|_| anyhow!("{t}: invalid port {p:?}"))?,
        )),
        _ if t.is_empty() => bail!("empty target"),
        _ => Ok((t.trim_matches(['[', ']']).to_string(), 443)),
    }
}

/// `handshake tls`.
pub async fn run(a: Args) -> Result<()> {
    let (host, port) = split_target(&a.target)?;
    let name = a.server_name.clone().unwrap_or_else(|| host.clone());
    let config = Arc::new(common::client_config(
        a.cafile.as_deref(),
        a.keylog.as_deref(),
    )?);
    let mut ladder = Ladder::new();
    let ip = match host.parse::<std::net::IpAddr>() {
        Ok(ip) => ip,
        Err(_) => {
            let r = common::resolver(&a.dns)?;
            crate::resolve::addresses(&r, &host, a.timeout, &mut ladder).await?[0]
        }
    };
    let addr = std::net::SocketAddr::new(ip, port);
    let tcp = common::within(a.timeout, &format!("connecting to {addr}"), async {
        TcpStream::connect(addr)
            .await
            .map_err(|e| anyhow!("cannot connect to {addr}: {e}"))
    })
    .await?;
    let conn = Connection::client(config, &name).map_err(|e| anyhow!("TLS with {name}: {e}"))?;
    let mut s = TlsStream::new(conn, tcp);
    let r = tokio::time::timeout(Duration::from_secs(a.timeout), s.handshake()).await;
    let c = s
        .connection()
        .as_client()
        .ok_or_else(|| anyhow!("internal error: not a client"))?;
    let trace: Vec<String> = c.trace().iter().map(|l| l.to_string()).collect();
    let certs: Vec<Value> = c
        .peer_certificates()
        .unwrap_or(&[])
        .iter()
        .map(|der| match ParsedCert::parse(der) {
            Ok(p) => {
                let (nb, na) = p.validity();
                json!({
                    "subject": p.subject(),
                    "issuer": p.issuer(),
                    "not_before": utc(nb),
                    "not_after": utc(na),
                    "san": p.san_names(),
                })
            }
            Err(e) => json!({ "error": e.to_string() }),
        })
        .collect();
    let version = c.protocol_version().map(common::version_name);
    let summary = describe(c);
    if a.json {
        common::print_json(&json!({
            "server": addr.to_string(),
            "server_name": name,
            "version": version,
            "suite": c.negotiated().map(|n| n.suite.name().to_string())
                .or_else(|| c.negotiated_tls12().map(|n| n.suite.name().to_string())),
            "group": c.negotiated().map(|n| n.group.name().to_string()),
            "certificates": certs,
            "trace": trace,
            "error": match &r { Ok(Err(e)) => Some(e.to_string()), Err(_) => Some("timed out".into()), Ok(Ok(())) => None },
        }))?;
    } else {
        println!("server {addr} ({name})");
        for l in &trace {
            println!("  {l}");
        }
        if r.as_ref().is_ok_and(|r| r.is_ok()) {
            println!("agreed: {summary}");
        }
        for (i, c) in certs.iter().enumerate() {
            if let Some(e) = c.get("error") {
                println!("certificate {i}: {e}");
                continue;
            }
            println!(
                "certificate {i}: subject {}",
                c["subject"].as_str().unwrap_or("")
            );
            println!("  issuer {}", c["issuer"].as_str().unwrap_or(""));
            println!(
                "  valid {} to {}",
                c["not_before"].as_str().unwrap_or(""),
                c["not_after"].as_str().unwrap_or("")
            );
            if let Some(san) = c["san"].as_array().filter(|s| !s.is_empty()) {
                let names: Vec<&str> = san.iter().filter_map(|v| v.as_str()).collect();
                println!("  names {}", names.join(", "));
            }
        }
    }
    match r {
        Ok(Ok(())) => {
            let _ = tokio::time::timeout(
                Duration::from_secs(2),
                tokio::io::AsyncWriteExt::shutdown(&mut s),
            )
            .await;
            Ok(())
        }
        Ok(Err(e)) => bail!("TLS handshake with {name} failed: {e}"),
        Err(_) => bail!(
            "timed out after {} s in the TLS handshake with {name}",
            a.timeout
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        // Independent values: `date -u -d @N`.
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc(1_767_225_599), "2025-12-31 23:59:59 UTC");
    }

    #[test]
    fn targets() {
        assert_eq!(
            split_target("example.com:8443").unwrap(),
            ("example.com".into(), 8443)
        );
        assert_eq!(
            split_target("example.com").unwrap(),
            ("example.com".into(), 443)
        );
        assert_eq!(split_target("[::1]:443").unwrap(), ("::1".into(), 443));
        assert!(split_target("a:b").is_err());
    }
}
