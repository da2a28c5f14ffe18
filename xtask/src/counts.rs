//! `cargo xtask bench --check | --update`: instruction counts of the hot paths
//! (perf/benches/instructions.rs, gungraun under valgrind's callgrind) against
//! the committed baseline, `fixtures/bench/baseline.json`.
//!
//! A count is deterministic for one binary on one kind of machine, so the
//! check can be tight; see [`THRESHOLD_PCT`] for the band chosen and why.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::process::{Command, ExitCode, Stdio};

use anyhow::{bail, Context as _};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A count may rise by at most this much (percent) before the check fails.
///
/// Callgrind counts the instructions one binary executes, so a rerun of the
/// same build gives the same count whatever else the machine does; what moves
/// a count without a code change is the build itself (a new rustc, a
/// dependency update in Cargo.lock, code layout shifting inlining decisions)
/// and the CPU features the runtime detection selects (valgrind's CPUID
/// decides, the same on every machine of one kind). rustls tracks a noise
/// band per benchmark from past runs with a 0.2% floor; with no history yet,
/// one band for all. Measured: two runs of one build gave identical counts,
/// and a clean build of the same commit in another directory and target
/// directory differed by at most 12 instructions (0.0002%, in the 1 MiB
/// transfer and the TLS handshake), so any rise past the band is a code
/// change; 1% is where a change is worth a look without failing on a rustc
/// patch release's inlining shuffle.
/// Changes from 0.1% on are printed either way.
pub(crate) const THRESHOLD_PCT: f64 = 1.0;

/// Changes below this (percent, either way) are shown as unchanged.
const SHOWN_PCT: f64 = 0.1;

#[derive(Serialize, Deserialize)]
struct Baseline {
    /// What the counts are and how they were made.
    about: String,
    /// Instructions executed (callgrind's Ir) per benchmark id.
    instructions: BTreeMap<String, u64>,
}

/// Runs the instruction benches; returns instructions per benchmark id.
fn measure() -> anyhow::Result<BTreeMap<String, u64>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(crate::workspace_root())
        .args([
            "bench",
            "--locked",
            "-p",
            "handshake-perf",
            "--bench",
            "instructions",
            "--",
        ])
        .arg("--output-format=json")
        .stderr(Stdio::inherit())
        .output()
        .context("running cargo bench -p handshake-perf (needs valgrind and gungraun-runner)")?;
    if !output.status.success() {
        bail!("the instruction benches failed ({})", output.status);
    }
    let mut counts = BTreeMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let line = line.trim();
        if !line.starts_with('{') {
            continue;
        }
        let v: Value = serde_json::from_str(line).context("gungraun's JSON summary")?;
        let (id, ir) =
            parse_summary(&v).with_context(|| format!("reading the summary {line:.200}"))?;
        counts.insert(id, ir);
    }
    if counts.is_empty() {
        bail!("gungraun printed no summaries");
    }
    Ok(counts)
}

/// The benchmark's id (`function.bench_id`) and its instruction count: the
/// total of callgrind's `Ir` over the benchmark's threads and subprocesses
/// (gungraun's summary schema v6: `profiles[0].data.total.metrics.Ir`).
fn parse_summary(v: &Value) -> anyhow::Result<(String, u64)> {
    let function = v["function_name"].as_str().context("no function_name")?;
    let id = v["id"].as_str().unwrap_or("");
    let ir = v["profiles"][0]["data"]["total"]["metrics"]["Ir"]["values"]["new"]
        .as_u64()
        .context("no total Ir in the first profile")?;
    Ok((format!("{function}.{id}"), ir))
}

pub(crate) fn run(update: bool) -> anyhow::Result<ExitCode> {
    let path = crate::workspace_root().join("fixtures/bench/baseline.json");
    let now = measure()?;
    if update {
        let baseline = Baseline {
            about: "Instructions (callgrind Ir) of perf/benches/instructions.rs; \
                    rewritten on purpose by `cargo xtask bench --update`"
                .into(),
            instructions: now.clone(),
        };
        std::fs::write(&path, serde_json::to_string_pretty(&baseline)? + "\n")?;
        println!(
            "baseline rewritten: {} ({} counts)",
            path.display(),
            now.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let baseline: Baseline = serde_json::from_slice(
        &std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?,
    )
    .with_context(|| format!("parsing {}", path.display()))?;

    let mut failures = Vec::new();
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED).set_header(vec![
        "benchmark",
        "baseline",
        "now",
        "change",
        "",
    ]);
    let mut md =
        String::from("| benchmark | baseline | now | change | |\n|---|---:|---:|---:|---|\n");
    let ids: std::collections::BTreeSet<&String> =
        baseline.instructions.keys().chain(now.keys()).collect();
    for id in ids {
        let (old, new) = (baseline.instructions.get(id), now.get(id));
        let (change, verdict) = match (old, new) {
            (Some(&o), Some(&n)) => {
                let pct = (n as f64 - o as f64) / o as f64 * 100.0;
                let verdict = if pct > THRESHOLD_PCT {
                    failures.push(format!("{id}: {o} -> {n} instructions ({pct:+.2}%)"));
                    "REGRESSED"
                } else if pct.abs() < SHOWN_PCT {
                    ""
                } else if pct < 0.0 {
                    "faster"
                } else {
                    "within the band"
                };
                (format!("{pct:+.2}%"), verdict)
            }
            (Some(_), None) => {
                failures.push(format!("{id}: in the baseline but no longer measured"));
                (String::new(), "MISSING")
            }
            (None, _) => {
                failures.push(format!("{id}: measured but not in the baseline"));
                (String::new(), "NEW")
            }
        };
        let fmt = |c: Option<&u64>| c.map_or(String::new(), u64::to_string);
        table.add_row(vec![
            Cell::new(id),
            Cell::new(fmt(old)).set_alignment(CellAlignment::Right),
            Cell::new(fmt(new)).set_alignment(CellAlignment::Right),
            Cell::new(&change).set_alignment(CellAlignment::Right),
            Cell::new(verdict),
        ]);
        writeln!(
            md,
            "| {id} | {} | {} | {change} | {verdict} |",
            fmt(old),
            fmt(new)
        )?;
    }
    println!("{table}");
    writeln!(
        md,
        "\nA count may rise at most {THRESHOLD_PCT}% (xtask/src/counts.rs says why)."
    )?;
    let out = crate::target_dir().join("bench");
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join("instructions.md"), md)?;
    if failures.is_empty() {
        println!(
            "instruction counts: {} within {THRESHOLD_PCT}% of the baseline",
            now.len()
        );
        Ok(ExitCode::SUCCESS)
    } else {
        for f in &failures {
            eprintln!("{f}");
        }
        eprintln!(
            "a count rose more than {THRESHOLD_PCT}% or the set changed: fix it, or rewrite the \
             baseline on purpose with `cargo xtask bench --update` and say why in the commit"
        );
        Ok(ExitCode::FAILURE)
    }
}
