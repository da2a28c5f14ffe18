//! `cargo xtask fuzz`: build the cargo-fuzz targets once (nightly, libFuzzer,
//! AddressSanitizer), replay each target's committed inputs, then fuzz each for
//! a bounded time and print what every target did.
//!
//! Inputs and outputs, per target `T` (a file `fuzz/fuzz_targets/T.rs`):
//! - `fixtures/fuzz/T/`: the committed seed corpus. It also holds every input that
//!   once crashed a target (named `crash-*`), so each crash stays a regression
//!   case that every run replays before it fuzzes.
//! - `<target>/fuzz/corpus/T/`: the corpus libFuzzer grows (kept between local
//!   runs, not committed; `--merge-seeds` minimises it back into the seeds).
//! - `<target>/fuzz/artifacts/T/`: the input of a crash, leak or timeout.
//! - `<target>/fuzz/runs.json`: seconds and executions per target over every run
//!   on this machine, so the total time each target has been fuzzed is known.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{bail, Context as _};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};
use serde::{Deserialize, Serialize};

use crate::FuzzArgs;

/// Where cargo-fuzz puts the binaries under its target directory.
const TRIPLE: &str = "x86_64-unknown-linux-gnu";

/// What one run of one target did.
struct Outcome {
    target: String,
    seconds: f64,
    execs: u64,
    corpus: usize,
    /// `None` when libFuzzer exited cleanly; else what went wrong and where the input is.
    failure: Option<String>,
}

/// The lifetime totals of one target on this machine.
#[derive(Default, Serialize, Deserialize)]
struct Totals {
    seconds: f64,
    execs: u64,
    runs: u64,
    crashes: u64,
}

pub(crate) fn run(args: FuzzArgs) -> anyhow::Result<ExitCode> {
    let root = crate::workspace_root();
    let all = list_targets(&root.join("fuzz/fuzz_targets"))?;
    let targets: Vec<String> = all
        .iter()
        .filter(|t| args.targets.is_empty() || args.targets.iter().any(|f| t.contains(f.as_str())))
        .cloned()
        .collect();
    if targets.is_empty() {
        bail!(
            "no fuzz target matches {:?}; the targets are: {}",
            args.targets,
            all.join(", ")
        );
    }
    let out = crate::target_dir().join("fuzz");
    build(&root, &out, &args.toolchain)?;

    let bins = out.join(TRIPLE).join("release");
    let queue = Mutex::new(targets.iter());
    let results = Mutex::new(Vec::new());
    let jobs = args.jobs.max(1).min(targets.len());
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| loop {
                let Some(target) = queue.lock().expect("queue").next() else {
                    break;
                };
                let outcome = fuzz_one(&root, &out, &bins, target, &args);
                results.lock().expect("results").push(outcome);
            });
        }
    });
    let mut results: Vec<Outcome> = results
        .into_inner()
        .expect("results")
        .into_iter()
        .collect::<anyhow::Result<_>>()?;
    results.sort_by(|a, b| a.target.cmp(&b.target));

    let totals = record(&out.join("runs.json"), &results)?;
    print_table(&results, &totals);
    let failed: Vec<&Outcome> = results.iter().filter(|o| o.failure.is_some()).collect();
    for o in &failed {
        eprintln!("{}: {}", o.target, o.failure.as_deref().unwrap_or_default());
    }
    if failed.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "\n{} of {} targets failed. Fix the defect, add a regression test in the crate it \
             hit, and commit the input to fixtures/fuzz/<target>/crash-<name> so every run replays it.",
            failed.len(),
            results.len()
        );
        Ok(ExitCode::FAILURE)
    }
}

/// Every `fuzz/fuzz_targets/*.rs`, by file stem (the cargo-fuzz target name).
fn list_targets(dir: &Path) -> anyhow::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "rs") {
            if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
                names.push(stem.to_owned());
            }
        }
    }
    names.sort();
    Ok(names)
}

/// `cargo +TOOLCHAIN fuzz build`: every target at once, release with debug
/// assertions and AddressSanitizer (cargo-fuzz's defaults).
fn build(root: &Path, out: &Path, toolchain: &str) -> anyhow::Result<()> {
    eprintln!("building the fuzz targets (cargo +{toolchain} fuzz build)");
    let status = Command::new("cargo")
        .arg(format!("+{toolchain}"))
        .args(["fuzz", "build", "--target-dir"])
        .arg(out)
        .current_dir(root.join("fuzz"))
        // The workspace's own target directory must not leak into the fuzz build.
        .env_remove("CARGO_TARGET_DIR")
        .status()
        .context("running cargo fuzz (install it with `cargo install cargo-fuzz`)")?;
    if !status.success() {
        bail!("cargo fuzz build failed ({status})");
    }
    Ok(())
}

/// Replay the seeds, then fuzz one target for `args.seconds` (or only replay).
fn fuzz_one(
    root: &Path,
    out: &Path,
    bins: &Path,
    target: &str,
    args: &FuzzArgs,
) -> anyhow::Result<Outcome> {
    let seeds = root.join("fixtures/fuzz").join(target);
    let corpus = out.join("corpus").join(target);
    let artifacts = out.join("artifacts").join(target);
    fs::create_dir_all(&corpus)?;
    fs::create_dir_all(&artifacts)?;
    let mut cmd = Command::new(bins.join(target));
    // libFuzzer writes new inputs into the first directory and reads the rest.
    cmd.arg(&corpus);
    if seeds.is_dir() {
        cmd.arg(&seeds);
    }
    cmd.arg(format!("-artifact_prefix={}/", artifacts.display()))
        // A single input may take at most 10 s and 2 GiB: anything more is a
        // defect (hostile input must cost bounded time and memory).
        .args(["-timeout=10", "-rss_limit_mb=2048", "-print_final_stats=1"]);
    if args.replay {
        cmd.arg("-runs=0");
    } else {
        cmd.arg(format!("-max_total_time={}", args.seconds));
    }
    if let Some(seed) = args.seed {
        cmd.arg(format!("-seed={seed}"));
    }
    let started = Instant::now();
    let output = cmd
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running {}", bins.join(target).display()))?;
    let seconds = started.elapsed().as_secs_f64();
    let log = String::from_utf8_lossy(&output.stderr);
    if args.merge_seeds && output.status.success() {
        merge(bins, target, &seeds, &corpus)?;
    }
    fs::write(out.join(format!("{target}.log")), log.as_bytes())?;
    let failure = (!output.status.success())
        .then(|| describe_failure(&log, &out.join(format!("{target}.log"))));
    Ok(Outcome {
        target: target.to_owned(),
        seconds,
        execs: stat(&log, "stat::number_of_executed_units").unwrap_or(0),
        corpus: fs::read_dir(&corpus).map(|d| d.count()).unwrap_or(0),
        failure,
    })
}

/// libFuzzer's `-merge=1`: copy into the seeds only the corpus inputs that
/// reach coverage the seeds do not.
fn merge(bins: &Path, target: &str, seeds: &Path, corpus: &Path) -> anyhow::Result<()> {
    fs::create_dir_all(seeds)?;
    let output = Command::new(bins.join(target))
        .arg("-merge=1")
        .arg(seeds)
        .arg(corpus)
        .stdin(Stdio::null())
        .output()?;
    if !output.status.success() {
        bail!("merging {target}'s corpus into {} failed", seeds.display());
    }
    Ok(())
}

/// A `stat::NAME: N` line of libFuzzer's final statistics.
fn stat(log: &str, name: &str) -> Option<u64> {
    log.lines().rev().find_map(|l| {
        l.strip_prefix(name)?
            .trim_start_matches(':')
            .trim()
            .parse()
            .ok()
    })
}

/// libFuzzer's one-line verdict (`ERROR: libFuzzer: deadly signal`, ASan's
/// report, a timeout) and the saved input.
fn describe_failure(log: &str, log_path: &Path) -> String {
    let verdict = log
        .lines()
        .find(|l| {
            l.contains("ERROR: libFuzzer")
                || l.contains("ERROR: AddressSanitizer")
                || l.contains("panicked at")
        })
        .unwrap_or("libFuzzer exited with an error")
        .trim();
    let input = log
        .lines()
        .find_map(|l| {
            l.split_once("Test unit written to ")
                .map(|(_, p)| p.trim().to_owned())
        })
        .unwrap_or_else(|| "no input saved".into());
    format!("{verdict}; input: {input}; log: {}", log_path.display())
}

/// Add this run to the lifetime totals in runs.json and return them.
fn record(path: &PathBuf, results: &[Outcome]) -> anyhow::Result<BTreeMap<String, Totals>> {
    let mut totals: BTreeMap<String, Totals> = match fs::read(path) {
        Ok(bytes) => {
            serde_json::from_slice(&bytes).with_context(|| format!("reading {}", path.display()))?
        }
        Err(_) => BTreeMap::new(),
    };
    for o in results {
        let t = totals.entry(o.target.clone()).or_default();
        t.seconds += o.seconds;
        t.execs += o.execs;
        t.runs += 1;
        t.crashes += u64::from(o.failure.is_some());
    }
    fs::write(path, serde_json::to_vec_pretty(&totals)?)?;
    Ok(totals)
}

fn print_table(results: &[Outcome], totals: &BTreeMap<String, Totals>) {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED).set_header(vec![
        "target",
        "seconds",
        "executions",
        "exec/s",
        "corpus",
        "result",
        "total minutes",
        "total executions",
    ]);
    for o in results {
        let t = &totals[&o.target];
        let rate = if o.seconds > 0.0 {
            o.execs as f64 / o.seconds
        } else {
            0.0
        };
        table.add_row(vec![
            Cell::new(&o.target),
            Cell::new(format!("{:.1}", o.seconds)).set_alignment(CellAlignment::Right),
            Cell::new(o.execs).set_alignment(CellAlignment::Right),
            Cell::new(format!("{rate:.0}")).set_alignment(CellAlignment::Right),
            Cell::new(o.corpus).set_alignment(CellAlignment::Right),
            Cell::new(if o.failure.is_some() { "FAILED" } else { "ok" }),
            Cell::new(format!("{:.1}", t.seconds / 60.0)).set_alignment(CellAlignment::Right),
            Cell::new(t.execs).set_alignment(CellAlignment::Right),
        ]);
    }
    println!("{table}");
}
