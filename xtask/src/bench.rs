//! `cargo xtask bench`: run the criterion benches, then pair our rows with the peers'.
//!
//! Convention (every bench in the workspace follows it): a criterion group holds
//! our function with id `handshake` (and `handshake-portable` for a portable
//! path) and each peer under its own name, with the same parameter string:
//! `ip/checksum/handshake/1500B` beside `ip/checksum/smoltcp/1500B`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::SystemTime;

use anyhow::{bail, Context as _};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};
use serde::{Deserialize, Serialize};

use crate::BenchArgs;

/// Our function id in every group.
const OURS: &str = "handshake";

/// The peers each group is compared with, by name: a row pairs our function
/// only with a peer listed for its group (a group missing here, or a function
/// not listed, is shown as unpaired). Each bench file says at its top what
/// work both sides do; a peer joins this list once its bench does the same
/// work as ours.
const PEERS: &[(&str, &[&str])] = &[
    ("ip/checksum", &["smoltcp"]),
    ("link/ethernet-arp", &["smoltcp"]),
    ("tcp/segment-parse", &["smoltcp"]),
    ("tcp/segment-emit", &["smoltcp"]),
    ("tcp/bulk-64MiB", &["smoltcp"]),
    ("tcp/connections", &["smoltcp"]),
    ("crypto/sha256", &["ring"]),
    ("crypto/hmac-sha256", &["ring"]),
    ("crypto/aes128gcm-seal", &["ring"]),
    ("crypto/aes128gcm-open", &["ring"]),
    ("crypto/aes256gcm-seal", &["ring"]),
    ("crypto/chacha20poly1305-seal", &["ring"]),
    ("crypto/x25519-shared-secret", &["ring"]),
    ("crypto/x25519-keygen", &["ring"]),
    ("crypto/p256-ecdsa-sign", &["ring"]),
    ("crypto/p256-ecdsa-verify", &["ring"]),
    ("crypto/p256-ecdh", &["ring"]),
    ("crypto/ed25519-sign", &["ring"]),
    ("crypto/ed25519-verify", &["ring"]),
    ("crypto/p384-ecdsa-sign", &["ring"]),
    ("crypto/p384-ecdsa-verify", &["ring"]),
    ("crypto/p384-ecdh", &["ring"]),
    ("crypto/rsa2048-sign", &["ring"]),
    ("crypto/rsa2048-verify", &["ring"]),
    // crypto/rsa2048-decrypt: ring has no RSA decryption; no peer.
    ("crypto/mlkem768-keygen", &["ml-kem", "aws-lc"]),
    ("crypto/mlkem768-encaps", &["ml-kem", "aws-lc"]),
    ("crypto/mlkem768-decaps", &["ml-kem", "aws-lc"]),
    ("crypto/sha3-256", &["sha3"]),
    ("crypto/shake128", &["sha3"]),
    ("dns/parse", &["hickory"]),
    ("dns/emit", &["hickory"]),
    ("dns/lookup-cached", &["hickory"]),
    ("dns/lookup-cold", &["unbound"]),
    ("http/parse-request-head", &["httparse"]),
    ("http/parse-response-head", &["httparse"]),
    ("http/https-get-1KiB-keepalive", &["hyper-rustls"]),
    (
        "tls/handshake-tls13-ecdsa-p256",
        &["rustls", "rustls-aws-lc"],
    ),
    ("tls/handshake-tls13-rsa2048", &["rustls", "rustls-aws-lc"]),
    (
        "tls/handshake-tls12-ecdhe-ecdsa",
        &["rustls", "rustls-aws-lc"],
    ),
    ("tls/resume-tls13", &["rustls", "rustls-aws-lc"]),
    ("tls/bulk-aes128gcm", &["rustls", "rustls-aws-lc"]),
    ("tls/bulk-chacha20", &["rustls", "rustls-aws-lc"]),
];

/// Whether `peer` is listed for `group`.
fn is_peer(group: &str, peer: &str) -> bool {
    PEERS
        .iter()
        .any(|(g, peers)| *g == group && peers.contains(&peer))
}

#[derive(Deserialize)]
struct BenchmarkJson {
    group_id: String,
    function_id: Option<String>,
    value_str: Option<String>,
    throughput: Option<Throughput>,
}

#[derive(Deserialize)]
enum Throughput {
    Bytes(u64),
    BytesDecimal(u64),
    /// Element counts carry no byte rate; the count itself is not shown.
    Elements(#[allow(dead_code)] u64),
}

#[derive(Deserialize)]
struct Estimates {
    mean: Estimate,
}

#[derive(Deserialize)]
struct Estimate {
    point_estimate: f64,
}

/// One measured function.
struct Measured {
    group: String,
    function: String,
    param: String,
    mean_ns: f64,
    bytes: Option<u64>,
}

/// One row of the summary: ours beside one peer.
#[derive(Serialize)]
struct Row {
    group: String,
    param: String,
    ours: String,
    peer: String,
    ours_ns: f64,
    peer_ns: f64,
    /// ours time / peer time: below 1.0 we are faster.
    ratio: f64,
    ours_mib_s: Option<f64>,
}

pub(crate) fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    let started = SystemTime::now();
    if !args.no_run {
        let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        cmd.current_dir(crate::workspace_root()).arg("bench");
        if args.package.is_empty() {
            // handshake-perf's benches count instructions (`--check`), not time.
            cmd.args(["--workspace", "--exclude", "handshake-perf"]);
        } else {
            for p in &args.package {
                let p = if p.starts_with("handshake") {
                    p.clone()
                } else {
                    format!("handshake-{p}")
                };
                cmd.args(["--package", &p]);
            }
        }
        // `--bench *` (not `--benches`, which includes libraries and would
        // hand the criterion flags to libtest).
        cmd.args(["--bench", "*", "--"]);
        if args.quick {
            cmd.args(["--warm-up-time", "1", "--measurement-time", "2"]);
        }
        cmd.args(&args.criterion_args);
        let status = cmd.status().context("running cargo bench")?;
        if !status.success() {
            bail!("cargo bench failed ({status})");
        }
    }

    // Only results of one run pair: the run just made, or with --no-run the
    // last one (its start is kept in target/bench/last-run), so a result
    // left from an older run (a group since filtered out, a peer not rerun)
    // is never set beside a new one.
    let out = crate::target_dir().join("bench");
    std::fs::create_dir_all(&out)?;
    let stamp = out.join("last-run");
    let since = if args.no_run {
        let secs: u64 = std::fs::read_to_string(&stamp)
            .context("no earlier `cargo xtask bench` run to show (target/bench/last-run)")?
            .trim()
            .parse()
            .context("target/bench/last-run")?;
        SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(secs)
    } else {
        let secs = started.duration_since(SystemTime::UNIX_EPOCH)?.as_secs();
        std::fs::write(&stamp, secs.to_string())?;
        SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(secs)
    };
    let criterion = crate::target_dir().join("criterion");
    let mut measured = Vec::new();
    collect(&criterion, &mut measured, Some(since))?;
    if measured.is_empty() {
        bail!("no criterion results under {}", criterion.display());
    }
    let rows = pair(&measured);
    print_table(&rows, &measured);

    let path = out.join("summary.json");
    std::fs::write(&path, serde_json::to_string_pretty(&rows)?)?;
    println!("summary: {}", path.display());
    Ok(ExitCode::SUCCESS)
}

/// Finds every `new/benchmark.json` under `dir` (newer than `since`, if given).
fn collect(dir: &Path, out: &mut Vec<Measured>, since: Option<SystemTime>) -> anyhow::Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries {
        let path = entry?.path();
        if !path.is_dir() {
            continue;
        }
        if path.file_name().is_some_and(|n| n == "new") {
            let bench = path.join("benchmark.json");
            let est = path.join("estimates.json");
            if !bench.exists() || !est.exists() {
                continue;
            }
            if let Some(since) = since {
                if std::fs::metadata(&est)?.modified()? < since {
                    continue;
                }
            }
            out.push(read_one(&bench, &est)?);
        } else {
            collect(&path, out, since)?;
        }
    }
    Ok(())
}

fn read_one(bench: &PathBuf, est: &PathBuf) -> anyhow::Result<Measured> {
    let b: BenchmarkJson = serde_json::from_slice(&std::fs::read(bench)?)
        .with_context(|| format!("parsing {}", bench.display()))?;
    let e: Estimates = serde_json::from_slice(&std::fs::read(est)?)
        .with_context(|| format!("parsing {}", est.display()))?;
    Ok(Measured {
        group: b.group_id,
        function: b.function_id.unwrap_or_default(),
        param: b.value_str.unwrap_or_default(),
        mean_ns: e.mean.point_estimate,
        bytes: match b.throughput {
            Some(Throughput::Bytes(n) | Throughput::BytesDecimal(n)) => Some(n),
            _ => None,
        },
    })
}

/// Pairs every `handshake*` function with each peer of the same group and parameter.
fn pair(measured: &[Measured]) -> Vec<Row> {
    let mut by_key: BTreeMap<(&str, &str), Vec<&Measured>> = BTreeMap::new();
    for m in measured {
        by_key.entry((&m.group, &m.param)).or_default().push(m);
    }
    let mut rows = Vec::new();
    for ((group, param), ms) in by_key {
        let (ours, peers): (Vec<_>, Vec<_>) =
            ms.into_iter().partition(|m| m.function.starts_with(OURS));
        for o in &ours {
            for p in peers.iter().filter(|p| is_peer(group, &p.function)) {
                rows.push(Row {
                    group: group.to_string(),
                    param: param.to_string(),
                    ours: o.function.clone(),
                    peer: p.function.clone(),
                    ours_ns: o.mean_ns,
                    peer_ns: p.mean_ns,
                    ratio: o.mean_ns / p.mean_ns,
                    ours_mib_s: o
                        .bytes
                        .map(|b| b as f64 / (o.mean_ns * 1e-9) / (1 << 20) as f64),
                });
            }
        }
    }
    rows
}

fn print_table(rows: &[Row], measured: &[Measured]) {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(vec![
        "group",
        "input",
        "ours",
        "peer",
        "ours",
        "peer",
        "ours/peer",
        "ours MiB/s",
    ]);
    for r in rows {
        let verdict = if r.ratio <= 1.0 {
            format!("{:.2} ({:.2}x faster)", r.ratio, 1.0 / r.ratio)
        } else {
            format!("{:.2} ({:.2}x slower)", r.ratio, r.ratio)
        };
        table.add_row(vec![
            Cell::new(&r.group),
            Cell::new(&r.param),
            Cell::new(&r.ours),
            Cell::new(&r.peer),
            Cell::new(fmt_ns(r.ours_ns)).set_alignment(CellAlignment::Right),
            Cell::new(fmt_ns(r.peer_ns)).set_alignment(CellAlignment::Right),
            Cell::new(verdict).set_alignment(CellAlignment::Right),
            Cell::new(r.ours_mib_s.map_or(String::new(), |t| format!("{t:.0}")))
                .set_alignment(CellAlignment::Right),
        ]);
    }
    println!("{table}");
    let unpaired = measured
        .iter()
        .filter(|m| {
            !rows
                .iter()
                .any(|r| r.group == m.group && r.param == m.param)
        })
        .count();
    if unpaired > 0 {
        println!("({unpaired} measurement(s) without a handshake/peer pair not shown)");
    }
}

fn fmt_ns(ns: f64) -> String {
    if ns < 1e3 {
        format!("{ns:.1} ns")
    } else if ns < 1e6 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{:.2} ms", ns / 1e6)
    }
}
