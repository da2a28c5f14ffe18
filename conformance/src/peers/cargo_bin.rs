//! Executables of this workspace built on demand for the cases that run
//! them as separate processes: `cargo build --release` (the profile
//! `cargo xtask` runs in) in the same target directory, the path read from cargo's artifact messages.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs `cargo build --release --quiet ARGS --message-format=json` at
/// the workspace root and returns the path of the executable named `exe`
/// among the artifacts. Bounded: 900 s, then the build is stopped by its pid.
pub fn build(args: &[&str], exe: &str) -> Result<PathBuf, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut child = Command::new(cargo)
        .args(["build", "--release", "--quiet"])
        .args(args)
        .arg("--message-format=json")
        .current_dir(&root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cargo build {args:?}: {e}"))?;
    // The pipes are drained while cargo runs: its JSON messages (one per
    // artifact, dependencies included) overflow a pipe's buffer, and a
    // cargo blocked on a full pipe never exits.
    let drain = |r: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            if let Some(mut r) = r {
                let _ = r.read_to_end(&mut v);
            }
            v
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|o| Box::new(o) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|e| Box::new(e) as Box<dyn Read + Send>),
    );
    // Bounded: a cold build of a crate and clap takes a minute or two.
    let deadline = Instant::now() + Duration::from_secs(900);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(100)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("cargo build {args:?} did not finish in 900 s"));
            }
        }
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    if !status.success() {
        return Err(format!(
            "cargo build {args:?} failed: {}",
            String::from_utf8_lossy(&stderr)
        ));
    }
    // The artifact lines name each executable.
    let text = String::from_utf8_lossy(&stdout);
    text.lines()
        .filter_map(|l| l.split("\"executable\":\"").nth(1))
        .filter_map(|rest| rest.split('"').next())
        .map(PathBuf::from)
        .find(|p| p.file_name().is_some_and(|n| n == exe))
        .ok_or_else(|| format!("cargo named no executable {exe}"))
}
