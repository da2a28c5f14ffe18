//! nginx (Debian's package) as an HTTP/1.1 and HTTPS origin on
//! 127.0.0.1: the configuration is written at run time into a scratch
//! folder, nginx runs in the foreground as one process (`daemon off`,
//! `master_process off`) and is stopped by its pid when dropped. Its
//! access log records, per request, the connection serial number and the
//! request's number on that connection, so a case can see keep-alive
//! from the server's side.

use std::path::PathBuf;
use std::time::Duration;

use super::cli::{wait_listening, write_files};
use super::tls_tool::{free_port, pem, ToolPeer};
use crate::Need;

/// What an nginx case needs.
pub const NGINX: Need = Need::binary("nginx", "nginx");

/// A running nginx.
pub struct Nginx {
    /// The process (stopped by pid on drop, its folder removed).
    pub peer: ToolPeer,
    /// The plain HTTP port.
    pub http: u16,
    /// The HTTPS port, when started with a certificate.
    pub https: Option<u16>,
    dir: PathBuf,
}

impl Nginx {
    /// Serves `files` (name, content) from its root, with gzip for clients
    /// that accept it (a gzip body has no length known in advance, so
    /// nginx sends it chunked); over TLS too when `tls` gives the chain
    /// (leaf first, DER) and its PKCS#8 key.
    pub fn start(
        files: &[(&str, &[u8])],
        tls: Option<(&[Vec<u8>], &[u8])>,
    ) -> Result<Nginx, String> {
        let dir = ToolPeer::scratch("nginx")?;
        write_files(&dir.join("www"), files)?;
        let http = free_port()?;
        let mut listen = format!("listen 127.0.0.1:{http};\n");
        let mut https = None;
        if let Some((chain, key)) = tls {
            let w = |name: &str, text: String| {
                std::fs::write(dir.join(name), text).map_err(|e| e.to_string())
            };
            w(
                "chain.pem",
                chain.iter().map(|c| pem("CERTIFICATE", c)).collect(),
            )?;
            w("key.pem", pem("PRIVATE KEY", key))?;
            let p = free_port()?;
            listen.push_str(&format!(
                "listen 127.0.0.1:{p} ssl;\nssl_certificate {0}/chain.pem;\nssl_certificate_key {0}/key.pem;\nssl_protocols TLSv1.2 TLSv1.3;\n",
                dir.display()
            ));
            https = Some(p);
        }
        let d = dir.display();
        let conf = format!(
            "daemon off;
master_process off;
pid {d}/nginx.pid;
error_log {d}/error.log info;
events {{ worker_connections 64; }}
http {{
  log_format hs '$connection $connection_requests \"$request\" $status $body_bytes_sent';
  access_log {d}/access.log hs;
  client_body_temp_path {d}/body;
  proxy_temp_path {d}/proxy;
  fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi;
  scgi_temp_path {d}/scgi;
  default_type application/octet-stream;
  keepalive_timeout 30s;
  gzip on;
  gzip_min_length 0;
  gzip_types application/octet-stream text/plain;
  server {{
    {listen}
    server_name localhost;
    root {d}/www;
  }}
}}
"
        );
        std::fs::write(dir.join("nginx.conf"), conf).map_err(|e| e.to_string())?;
        let args: Vec<String> = ["-p", &d.to_string(), "-e", "error.log", "-c", "nginx.conf"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let peer = ToolPeer::program("nginx", &args, dir.clone())?;
        for port in [Some(http), https].into_iter().flatten() {
            wait_listening(port, Duration::from_secs(10))
                .map_err(|e| format!("{e}; nginx: {}", peer.stderr_text()))?;
        }
        Ok(Nginx {
            peer,
            http,
            https,
            dir,
        })
    }

    /// The access log so far: `connection requests-on-it "request" status bytes` per line.
    pub fn access_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("access.log")).unwrap_or_default()
    }
}
