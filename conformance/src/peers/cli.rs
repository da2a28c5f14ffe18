//! The `handshake` binary (crates/cli) as a process: built once per run
//! (release, see [`super::cargo_bin`]), `handshake serve` started on free
//! ports of 127.0.0.1 and stopped by its pid on drop, other subcommands
//! run to their end under a time limit.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::tls_tool::{pem, ToolPeer};

/// The built binary.
pub fn binary() -> Result<PathBuf, String> {
    static BIN: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BIN.get_or_init(|| {
        super::cargo_bin::build(&["-p", "handshake", "--bin", "handshake"], "handshake")
    })
    .clone()
}

/// How a run of the binary ended.
#[derive(Debug)]
pub struct Run {
    /// Exited with status 0.
    pub success: bool,
    /// Its stdout.
    pub stdout: String,
    /// Its stderr.
    pub stderr: String,
}

/// A folder for a case's files (outputs, certificates), removed on drop.
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// A fresh folder named after `tag`.
    pub fn new(tag: &str) -> Result<Scratch, String> {
        Ok(Scratch(ToolPeer::scratch(tag)?))
    }

    /// `name` in the folder, as a string argument.
    pub fn path(&self, name: &str) -> String {
        self.0.join(name).to_string_lossy().into_owned()
    }

    /// The content of `name`.
    pub fn read(&self, name: &str) -> Result<Vec<u8>, String> {
        std::fs::read(self.0.join(name)).map_err(|e| format!("{name}: {e}"))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `handshake ARGS` to its end in a folder of its own (stopped by
/// its pid after `timeout`, which is then an error); give files as
/// absolute paths (a [`Scratch`]).
pub fn run(args: &[&str], timeout: Duration) -> Result<Run, String> {
    let bin = binary()?;
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let args = &args;
    let mut peer = ToolPeer::program(
        &bin.to_string_lossy(),
        args,
        ToolPeer::scratch("handshake-run")?,
    )?;
    if !peer.wait_exit(timeout) {
        return Err(format!(
            "handshake {args:?} did not finish in {timeout:?}: {}",
            peer.stderr_text()
        ));
    }
    let (success, stdout, stderr) = peer.into_output();
    Ok(Run {
        success,
        stdout,
        stderr,
    })
}

/// `handshake serve` on 127.0.0.1, plain and (with a certificate) TLS.
pub struct Serve {
    /// The process (stopped by pid on drop).
    pub peer: ToolPeer,
    /// The plain HTTP port.
    pub http: u16,
    /// The HTTPS port, when started with a certificate.
    pub https: Option<u16>,
    /// The folder it serves (`www/` in its scratch folder).
    pub root: PathBuf,
}

impl Serve {
    /// Serves the files `files` (name, content); over TLS too when `tls`
    /// gives the chain (leaf first, DER) and its PKCS#8 key.
    pub fn start(
        files: &[(&str, &[u8])],
        tls: Option<(&[Vec<u8>], &[u8])>,
    ) -> Result<Serve, String> {
        let bin = binary()?;
        let dir = ToolPeer::scratch("handshake-serve")?;
        let root = dir.join("www");
        write_files(&root, files)?;
        let mut args: Vec<String> = ["serve", "--json", "--http", "127.0.0.1:0", "--root", "www"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        if let Some((chain, key)) = tls {
            let w = |name: &str, text: String| {
                std::fs::write(dir.join(name), text).map_err(|e| e.to_string())
            };
            w(
                "chain.pem",
                chain.iter().map(|c| pem("CERTIFICATE", c)).collect(),
            )?;
            w("key.pem", pem("PRIVATE KEY", key))?;
            args.extend(
                [
                    "--https",
                    "127.0.0.1:0",
                    "--cert",
                    "chain.pem",
                    "--key",
                    "key.pem",
                ]
                .iter()
                .map(|s| s.to_string()),
            );
        }
        let mut peer = ToolPeer::program(&bin.to_string_lossy(), &args, dir)?;
        // The JSON object ends with "}" on its own line.
        peer.wait_for(b"}\n", Duration::from_secs(10))?;
        let v: serde_json::Value = serde_json::from_str(&peer.stdout_text())
            .map_err(|e| format!("handshake serve said {:?}: {e}", peer.stdout_text()))?;
        let port = |k: &str| {
            v[k].as_str()
                .and_then(|a| a.rsplit(':').next())
                .and_then(|p| p.parse::<u16>().ok())
        };
        let http = port("http").ok_or_else(|| format!("no http address in {v}"))?;
        Ok(Serve {
            http,
            https: port("https"),
            root,
            peer,
        })
    }
}

/// Writes `files` (name, content) under `root`.
pub fn write_files(root: &Path, files: &[(&str, &[u8])]) -> Result<(), String> {
    std::fs::create_dir_all(root).map_err(|e| e.to_string())?;
    for (name, data) in files {
        std::fs::write(root.join(name), data).map_err(|e| format!("{name}: {e}"))?;
    }
    Ok(())
}

/// Waits until 127.0.0.1:`port` accepts a connection (at most `timeout`).
pub fn wait_listening(port: u16, timeout: Duration) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    loop {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "nothing listens on 127.0.0.1:{port} after {timeout:?}"
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
