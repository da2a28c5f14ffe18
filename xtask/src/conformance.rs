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
    if let Some(spec) = args.coverage.clone() {
        return coverage(&args, spec);
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

    let matrix = report::requirement_matrix();
    report::write_all(&report, &matrix, &out)?;
    match args.format {
        Format::Human => report::print_human(&report, &out),
        Format::Json => println!("{}", report::json(&report)?),
        Format::Junit => println!("{}", report::junit(&report)?),
        Format::Markdown => println!("{}", report::markdown(&report)),
        Format::Html => println!("{}", report::html(&report, &matrix, &out)),
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

/// Runs the cases on `jobs` threads, in registration order per thread, with a
/// progress bar; then the cases that run alone (timing measurements), one at
/// a time with nothing else running. Results keep registration order.
fn execute(cases: &[Case], jobs: usize, ctx_for: impl Fn(&Case) -> Ctx + Sync) -> Vec<CaseResult> {
    let bar = ProgressBar::new(cases.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} {msg}")
            .expect("static template")
            .progress_chars("=> "),
    );
    let results: Mutex<Vec<Option<CaseResult>>> =
        Mutex::new((0..cases.len()).map(|_| None).collect());
    let run_one = |i: usize| {
        let case = &cases[i];
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
    };
    let (alone, shared): (Vec<usize>, Vec<usize>) =
        (0..cases.len()).partition(|&i| cases[i].runs_alone());
    let next = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..jobs.min(shared.len()).max(1) {
            s.spawn(|| {
                while let Some(&i) = shared.get(next.fetch_add(1, Ordering::Relaxed)) {
                    run_one(i);
                }
            });
        }
    });
    // Every thread above has joined: nothing else of ours runs now.
    alone.into_iter().for_each(run_one);
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

/// `--coverage [SPEC]`: every RFC table's summary, or one table row by row;
/// coverage.md gets every table. Exit 1 when a shown table has a MUST gap.
fn coverage(args: &ConformanceArgs, spec: Option<String>) -> anyhow::Result<ExitCode> {
    use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
    use handshake_conformance::coverage::{self, Status};

    // `--coverage RFC 7766` unquoted leaves `7766` among the filters, which
    // mean nothing here: read them as the rest of SPEC.
    let spec = match (spec, args.filters.is_empty()) {
        (Some(s), true) => Some(s),
        (s, _) => Some(
            s.into_iter()
                .chain(args.filters.iter().cloned())
                .collect::<Vec<_>>()
                .join(" "),
        )
        .filter(|s| !s.is_empty()),
    };
    let shown: Vec<&coverage::Table> = match &spec {
        None => coverage::TABLES.to_vec(),
        Some(s) => match coverage::find(s) {
            Some(t) => vec![t],
            None => bail!(
                "no requirement table for `{s}`; tables: {}",
                coverage::TABLES
                    .iter()
                    .map(|t| t.key)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
    };
    let cases = all_cases();
    let mut md = String::from("# Requirement coverage\n\n");
    let mut must_gap = false;
    for table in coverage::TABLES {
        let rows = coverage::check(table, &cases);
        md.push_str(&coverage::markdown(table, &rows));
        if !shown.iter().any(|t| std::ptr::eq(*t, *table)) {
            continue;
        }
        if spec.is_some() {
            let mut t = Table::new();
            t.load_preset(UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Dynamic)
                .set_header([
                    table.rfc,
                    "level",
                    "requirement",
                    "status",
                    "cases or reason",
                ]);
            if t.width().is_none() {
                // Not a terminal: wrap to a width a log or a pager shows.
                t.set_width(160);
            }
            for r in &rows {
                let by = if r.missing.is_empty() {
                    r.cases
                        .iter()
                        .cloned()
                        .chain(r.note().map(str::to_string))
                        .collect::<Vec<_>>()
                        .join("\n")
                } else {
                    format!("MISSING CASES: {}", r.missing.join(", "))
                };
                let id = if r.req.section.is_empty() {
                    r.req.id.to_string()
                } else {
                    format!("{}\n{}", r.req.id, r.req.section)
                };
                t.add_row([
                    id.as_str(),
                    r.req.level.as_str(),
                    r.req.feature,
                    r.status().as_str(),
                    by.as_str(),
                ]);
            }
            println!("{t}");
        }
        println!("{}", coverage::summary_line(table, &rows));
        must_gap |= rows
            .iter()
            .any(|r| r.status() == Status::Gap && fails_run(r.req.level));
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| crate::target_dir().join("conformance"));
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let path = out.join("coverage.md");
    std::fs::write(&path, md).with_context(|| format!("writing {}", path.display()))?;
    println!("coverage of every table: {}", path.display());
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

    #[test]
    fn a_case_that_runs_alone_shares_the_machine_with_no_other() {
        use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
        use std::sync::Arc;
        let running = Arc::new(AtomicUsize::new(0));
        let busy = |id: &'static str| {
            let running = Arc::clone(&running);
            Case::must(id, "RFC 0").vector(move |_| {
                running.fetch_add(1, SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(30));
                running.fetch_sub(1, SeqCst);
                Outcome::Pass
            })
        };
        let timed = {
            let running = Arc::clone(&running);
            Case::should("a.timed", "RFC 0").alone().property(move |_| {
                let others = running.load(SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(30));
                let others = others.max(running.load(SeqCst));
                if others == 0 {
                    Outcome::Pass
                } else {
                    Outcome::Fail(format!("{others} cases ran beside it"))
                }
            })
        };
        // Registered among the others, with a thread to spare for it.
        let all = vec![busy("a.1"), busy("a.2"), timed, busy("a.3"), busy("a.4")];
        let results = execute(&all, 4, |_| Ctx::new(7));
        let ids: Vec<_> = results.iter().map(|r| r.case.id()).collect();
        assert_eq!(ids, ["a.1", "a.2", "a.timed", "a.3", "a.4"]);
        for r in &results {
            assert!(
                r.outcome.is_pass(),
                "{}: {:?}",
                r.case.id(),
                r.outcome.reason()
            );
        }
    }
}
