//! `cargo xtask conformance`: select, run and report the cases.

use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use handshake_conformance::{all_cases, Case, Ctx, Level, Outcome};
use indicatif::{ProgressBar, ProgressStyle};

use crate::report::{self, Report};
use crate::{ConformanceArgs, Format};

/// One case's result.
pub(crate) struct CaseResult {
    pub case: Case,
    pub outcome: Outcome,
    pub duration: Duration,
    /// What the case measured, if anything ([`Ctx::measurement`]).
    pub measurement: Option<String>,
}

pub(crate) fn run(args: ConformanceArgs) -> anyhow::Result<ExitCode> {
    if args.coverage {
        return coverage(&args);
    }
    let cases = select(all_cases(), &args.filters)?;

    if args.list {
        for c in &cases {
            println!(
                "{:<48} {:<6} {:<12} {}",
                c.id(),
                c.level().as_str(),
                c.kind().as_str(),
                c.spec()
            );
        }
        println!("{} cases", cases.len());
        return Ok(ExitCode::SUCCESS);
    }

    let seed = args.seed.unwrap_or_else(fresh_seed);
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| crate::target_dir().join("conformance"));
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);

    eprintln!(
        "handshake conformance: {} cases, seed {seed} (replay with --seed {seed}), {jobs} jobs",
        cases.len()
    );
    let started = Instant::now();
    let results = execute(&cases, jobs, |case| {
        let mut ctx = Ctx::new(seed);
        ctx.property_cases = args.property_cases;
        ctx.artifacts = out.join("pcap").join(case.id());
        ctx.keep_pcaps = args.pcap;
        ctx
    });
    let report = Report::new(results, seed, started.elapsed(), args.require_all);

    report::write_all(&report, &out)?;
    match args.format {
        Format::Human => report::print_human(&report, &out),
        Format::Json => println!("{}", report::json(&report)?),
        Format::Junit => println!("{}", report::junit(&report)?),
        Format::Markdown => println!("{}", report::markdown(&report)),
    }

    Ok(if report.failed_musts() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Keeps the cases whose id contains any filter; a filter that matches nothing is a usage error.
fn select(cases: Vec<Case>, filters: &[String]) -> anyhow::Result<Vec<Case>> {
    if filters.is_empty() {
        return Ok(cases);
    }
    for f in filters {
        if !cases.iter().any(|c| c.id().contains(f.as_str())) {
            bail!("filter `{f}` matches no case (see `cargo xtask conformance --list`)");
        }
    }
    Ok(cases
        .into_iter()
        .filter(|c| filters.iter().any(|f| c.id().contains(f.as_str())))
        .collect())
}

fn fresh_seed() -> u64 {
    // A new seed per run widens what property cases explore; it is printed so a
    // failure can be replayed. The nanosecond clock is plenty for that.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    (nanos as u64) ^ ((nanos >> 64) as u64) ^ u64::from(std::process::id())
}

/// Runs the cases on `jobs` threads, in registration order per thread, with a progress bar.
fn execute(cases: &[Case], jobs: usize, ctx_for: impl Fn(&Case) -> Ctx + Sync) -> Vec<CaseResult> {
    let bar = ProgressBar::new(cases.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} {msg}")
            .expect("static template")
            .progress_chars("=> "),
    );
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<CaseResult>>> =
        Mutex::new((0..cases.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..jobs.min(cases.len().max(1)) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(case) = cases.get(i) else { break };
                bar.set_message(case.id().to_string());
                let mut ctx = ctx_for(case);
                let t = Instant::now();
                let outcome = case.execute(&mut ctx);
                let duration = t.elapsed();
                if let Outcome::Fail(reason) = &outcome {
                    bar.println(format!("FAIL {}: {reason}", case.id()));
                }
                results.lock().expect("no panics while holding the lock")[i] = Some(CaseResult {
                    case: case.clone(),
                    outcome,
                    duration,
                    measurement: ctx.measurement.take(),
                });
                bar.inc(1);
            });
        }
    });
    bar.finish_and_clear();
    results
        .into_inner()
        .expect("threads joined")
        .into_iter()
        .map(|r| r.expect("every case ran"))
        .collect()
}

/// Whether a failed case of this level fails the run.
pub(crate) fn fails_run(level: Level) -> bool {
    level == Level::Must
}

/// `--coverage`: RFC 9293 Appendix B against the cases.
fn coverage(args: &ConformanceArgs) -> anyhow::Result<ExitCode> {
    use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
    use handshake_conformance::coverage;

    let rows = coverage::rfc9293(&all_cases());
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(["RFC 9293", "requirement", "covered by"]);
    let mut md = String::from(
        "# RFC 9293 Appendix B coverage\n\n| ReqID | requirement | covered by |\n|---|---|---|\n",
    );
    let (mut covered, mut na, mut gaps) = (0, 0, Vec::new());
    for r in &rows {
        let by = if !r.missing.is_empty() {
            format!("MISSING CASES: {}", r.missing.join(", "))
        } else if !r.cases.is_empty() {
            covered += 1;
            r.cases.join("\n")
        } else if let Some(why) = r.req.reason {
            na += 1;
            format!("not applicable: {why}")
        } else {
            "UNCOVERED".to_string()
        };
        if r.is_gap() {
            gaps.push(r.req.id);
        }
        md.push_str(&format!(
            "| {} | {} | {} |\n",
            r.req.id,
            r.req.feature,
            by.replace('\n', "<br>")
        ));
        table.add_row([r.req.id, r.req.feature, by.as_str()]);
    }
    println!("{table}");
    let summary = format!(
        "RFC 9293 Appendix B: {} requirements, {covered} covered by cases, {na} not applicable (with reasons), {} gaps{}",
        rows.len(),
        gaps.len(),
        if gaps.is_empty() { String::new() } else { format!(": {}", gaps.join(", ")) }
    );
    println!("{summary}");
    md.push_str(&format!("\n{summary}\n"));
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| crate::target_dir().join("conformance"));
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    std::fs::write(out.join("coverage.md"), md).context("writing coverage.md")?;
    let must_gap = gaps.iter().any(|id| id.starts_with("MUST"));
    Ok(if must_gap {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(id: &'static str) -> Case {
        Case::must(id, "RFC 0000").vector(|_| Outcome::Pass)
    }

    #[test]
    fn filters_select_by_substring_and_reject_unmatched() {
        let all = vec![case("ip.a"), case("tcp.b"), case("tcp.c")];
        let ids = |v: Vec<Case>| v.iter().map(|c| c.id().to_string()).collect::<Vec<_>>();
        assert_eq!(ids(select(all.clone(), &[]).unwrap()).len(), 3);
        assert_eq!(
            ids(select(all.clone(), &["tcp".into()]).unwrap()),
            ["tcp.b", "tcp.c"]
        );
        assert_eq!(
            ids(select(all.clone(), &["ip.".into(), ".c".into()]).unwrap()),
            ["ip.a", "tcp.c"]
        );
        assert!(select(all, &["dns".into()]).is_err());
    }

    #[test]
    fn results_keep_registration_order_across_jobs() {
        let all: Vec<Case> = vec![
            case("a.1"),
            case("a.2"),
            case("a.3"),
            case("a.4"),
            case("a.5"),
        ];
        let results = execute(&all, 3, |_| Ctx::new(7));
        let ids: Vec<_> = results.iter().map(|r| r.case.id()).collect();
        assert_eq!(ids, ["a.1", "a.2", "a.3", "a.4", "a.5"]);
        assert!(results.iter().all(|r| r.outcome.is_pass()));
    }
}
