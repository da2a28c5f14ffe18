//! Project automation for Handshake.
//!
//! - `cargo xtask conformance [FILTER..]`: run the conformance suite and write reports.
//! - `cargo xtask bench [-- CRITERION_ARGS]`: run the criterion benches and print ours/peer ratios.
//! - `cargo xtask bench --check | --update`: instruction counts against the committed baseline.
//! - `cargo xtask fuzz [TARGET..] --seconds N`: replay the committed fuzz inputs, then fuzz each target.

mod bench;
mod conformance;
mod counts;
mod fuzz;
mod report;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "Handshake's project automation",
    version
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the conformance suite: every case this machine can run, reported by RFC requirement.
    Conformance(ConformanceArgs),
    /// Run the criterion benchmarks and print the ratio of our time to each peer's.
    Bench(BenchArgs),
    /// Replay every fuzz target's committed inputs, then fuzz each for a bounded time (nightly + cargo-fuzz).
    Fuzz(FuzzArgs),
}

/// What is printed on standard output after the run (every report file is written regardless).
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// A table grouped by crate, then every failure's and skip's reason.
    Human,
    /// report.json (schema in the README).
    Json,
    /// JUnit XML, for CI test reporters.
    Junit,
    /// Markdown, for a CI job summary.
    Markdown,
    /// The self-contained HTML page (report.html).
    Html,
}

#[derive(clap::Args)]
pub(crate) struct ConformanceArgs {
    /// Run only cases whose id contains one of these strings (e.g. `tcp.wire`, `checksum`).
    pub filters: Vec<String>,
    /// List the selected cases without running them.
    #[arg(long)]
    pub list: bool,
    /// What to print on standard output.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Directory for report.json, report.xml, report.md, report.html and pcaps [default: target/conformance].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Treat a skipped case as a failure (CI uses this on a machine with every peer installed).
    #[arg(long)]
    pub require_all: bool,
    /// Seed for every property and simulation case; a failure prints the seed that replays it.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Cases run at once [default: number of CPUs].
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
    /// Number of generated inputs per property case.
    #[arg(long, default_value_t = 256)]
    pub property_cases: u32,
    /// Keep the packet captures of passing interop cases too (failed cases always keep theirs).
    #[arg(long)]
    pub pcap: bool,
    /// Requirement coverage instead of a run: with no SPEC, every RFC table's
    /// summary (RFC 9293 Appendix B, RFC 1035, 2181, 2308, 5452, 7766); with
    /// SPEC (`rfc7766`, `"RFC 7766"`), that table row by row. Writes
    /// target/conformance/coverage.md with every table; exits 1 if a MUST
    /// row is a gap.
    #[arg(long, value_name = "SPEC", num_args = 0..=1)]
    pub coverage: Option<Option<String>>,
}

#[derive(clap::Args)]
pub(crate) struct BenchArgs {
    /// Only benches whose package name contains this (e.g. `ip`, `crypto`).
    #[arg(long, short = 'p')]
    pub package: Vec<String>,
    /// Shorter warm-up and measurement (1 s + 2 s) for a quick look.
    #[arg(long)]
    pub quick: bool,
    /// Only print the table from the last run's criterion results, without running.
    #[arg(long)]
    pub no_run: bool,
    /// Instead of the criterion benches: the hot paths' instruction counts
    /// (valgrind) against fixtures/bench/baseline.json; fails on a rise.
    #[arg(long, conflicts_with = "update")]
    pub check: bool,
    /// Rewrite fixtures/bench/baseline.json with the counts measured now.
    #[arg(long)]
    pub update: bool,
    /// Extra arguments passed to the criterion harness (after `--`), e.g. a filter.
    #[arg(last = true)]
    pub criterion_args: Vec<String>,
}

#[derive(clap::Args)]
pub(crate) struct FuzzArgs {
    /// Only targets whose name contains one of these strings (e.g. `tls`, `dns_message`).
    pub targets: Vec<String>,
    /// Seconds of fuzzing per target, after its committed inputs are replayed.
    #[arg(long, default_value_t = 20)]
    pub seconds: u64,
    /// Targets fuzzed at once.
    #[arg(long, short = 'j', default_value_t = 1)]
    pub jobs: usize,
    /// Only replay the committed inputs (fixtures/fuzz/TARGET), no fuzzing.
    #[arg(long)]
    pub replay: bool,
    /// After fuzzing, merge the inputs that add coverage into fixtures/fuzz/TARGET.
    #[arg(long)]
    pub merge_seeds: bool,
    /// libFuzzer's random seed (default: libFuzzer picks one and prints it).
    #[arg(long)]
    pub seed: Option<u64>,
    /// The toolchain cargo-fuzz builds with (libFuzzer's sanitizers need nightly).
    #[arg(long, default_value = "nightly")]
    pub toolchain: String,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Conformance(args) => conformance::run(args),
        Command::Bench(args) if args.check || args.update => counts::run(args.update),
        Command::Bench(args) => bench::run(args),
        Command::Fuzz(args) => fuzz::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// The workspace root (the parent of this crate's directory).
pub(crate) fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
}

/// Cargo's target directory: `CARGO_TARGET_DIR` if set, else `<workspace>/target`.
pub(crate) fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                workspace_root().join(dir)
            }
        }
        None => workspace_root().join("target"),
    }
}
