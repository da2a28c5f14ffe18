//! `handshake serve`: the small server of handshake-io, on HTTP and HTTPS.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{anyhow, bail, Context, Result};
use handshake_io::http::{Files, Fixed, Handler, Server};
use handshake_tls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::PrivateKeyDer;
use serde_json::json;
use tokio::net::TcpListener;

use crate::common;

/// `handshake serve`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Address for plain HTTP, e.g. 127.0.0.1:8080 (port 0: any free port)
    #[arg(long)]
    http: Option<SocketAddr>,
    /// Address for HTTPS (needs --cert and --key)
    #[arg(long, requires_all = ["cert", "key"])]
    https: Option<SocketAddr>,
    /// Certificate chain, PEM, leaf first
    #[arg(long)]
    cert: Option<PathBuf>,
    /// Private key, PEM, PKCS#8 ("PRIVATE KEY")
    #[arg(long)]
    key: Option<PathBuf>,
    /// Folder to serve files from (GET /a serves ROOT/a; ?chunked sends it chunked)
    #[arg(long, default_value = ".", conflicts_with = "body")]
    root: PathBuf,
    /// Answer every GET with this body instead of serving files
    #[arg(long)]
    body: Option<String>,
    /// Print the listening addresses as JSON on stdout: {"http": ADDR, "https": ADDR}
    #[arg(long)]
    json: bool,
}

fn tls_config(cert: &std::path::Path, key: &std::path::Path) -> Result<ServerConfig> {
    let chain = common::load_certs(cert)?;
    let key =
        match PrivateKeyDer::from_pem_file(key).map_err(|e| anyhow!("{}: {e}", key.display()))? {
            PrivateKeyDer::Pkcs8(k) => k.secret_pkcs8_der().to_vec(),
            _ => bail!(
                "{}: not PKCS#8; convert it with `openssl pkcs8 -topk8 -nocrypt`",
                key.display()
            ),
        };
    ServerConfig::new(chain, &key).map_err(|e| anyhow!("certificate and key: {e}"))
}

/// `handshake serve`.
pub async fn run(a: Args) -> Result<()> {
    if a.http.is_none() && a.https.is_none() {
        bail!("nothing to serve: give --http ADDR and/or --https ADDR");
    }
    let handler: Arc<dyn Handler> = match &a.body {
        Some(b) => Arc::new(Fixed(b.clone().into_bytes())),
        None => {
            if !a.root.is_dir() {
                bail!("--root {}: not a folder", a.root.display());
            }
            Arc::new(Files::new(a.root.clone()))
        }
    };
    let mut servers = Vec::new();
    let mut bound = serde_json::Map::new();
    if let Some(addr) = a.http {
        let l = TcpListener::bind(addr)
            .await
            .with_context(|| format!("--http {addr}"))?;
        let s = Server::new(l, Arc::clone(&handler));
        bound.insert("http".into(), json!(s.local_addr()?.to_string()));
        servers.push(s);
    }
    if let (Some(addr), Some(cert), Some(key)) = (a.https, &a.cert, &a.key) {
        let cfg = Arc::new(tls_config(cert, key)?);
        let l = TcpListener::bind(addr)
            .await
            .with_context(|| format!("--https {addr}"))?;
        let s = Server::new(l, Arc::clone(&handler)).with_tls(cfg);
        bound.insert("https".into(), json!(s.local_addr()?.to_string()));
        servers.push(s);
    }
    if a.json {
        common::print_json(&serde_json::Value::Object(bound))?;
    } else {
        for (scheme, addr) in &bound {
            println!("listening on {scheme}://{}", addr.as_str().unwrap_or(""));
        }
    }
    let mut tasks = tokio::task::JoinSet::new();
    for s in servers {
        tasks.spawn(s.run());
    }
    tokio::select! {
        r = tasks.join_next() => match r {
            Some(Ok(Err(e))) => Err(anyhow!("accepting connections: {e}")),
            Some(Err(e)) => Err(anyhow!("server task: {e}")),
            _ => Ok(()),
        },
        _ = tokio::signal::ctrl_c() => Ok(()),
    }
}
