//! Conformance reports: human table, JSON, JUnit XML, Markdown and HTML.

mod html;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};
use handshake_conformance::{coverage, Level, Outcome};
use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};
use serde::Serialize;

use crate::conformance::{fails_run, CaseResult};

pub(crate) use html::html;

/// Each requirement table with its rows resolved against the registered
/// cases (all of them, whatever this run's filters: a case not run is shown
/// as such, not as a gap).
pub(crate) type Matrix = Vec<(&'static coverage::Table, Vec<coverage::Row>)>;

/// The requirement tables against every registered case.
pub(crate) fn requirement_matrix() -> Matrix {
    let cases = handshake_conformance::all_cases();
    coverage::TABLES
        .iter()
        .map(|t| (*t, coverage::check(t, &cases)))
        .collect()
}

/// The results of one run, ready to print.
pub(crate) struct Report {
    pub results: Vec<CaseResult>,
    pub seed: u64,
    pub elapsed: Duration,
}

#[derive(Default, Clone, Copy, Serialize)]
pub(crate) struct Counts {
    pub pass: usize,
    pub fail: usize,
    pub skip: usize,
}

impl Counts {
    fn add(&mut self, o: &Outcome) {
        match o {
            Outcome::Pass => self.pass += 1,
            Outcome::Fail(_) => self.fail += 1,
            Outcome::Skip(_) => self.skip += 1,
        }
    }
}

impl Report {
    /// With `require_all`, a skip becomes a failure that still says what was missing.
    pub fn new(
        mut results: Vec<CaseResult>,
        seed: u64,
        elapsed: Duration,
        require_all: bool,
    ) -> Report {
        if require_all {
            for r in &mut results {
                if let Outcome::Skip(why) = &r.outcome {
                    r.outcome = Outcome::Fail(format!("skipped under --require-all: {why}"));
                }
            }
        }
        Report {
            results,
            seed,
            elapsed,
        }
    }

    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        self.results.iter().for_each(|r| c.add(&r.outcome));
        c
    }

    pub fn by_crate(&self) -> BTreeMap<&str, Counts> {
        let mut m: BTreeMap<&str, Counts> = BTreeMap::new();
        for r in &self.results {
            m.entry(r.case.krate()).or_default().add(&r.outcome);
        }
        m
    }

    /// Failed cases whose level fails the run (MUST).
    pub fn failed_musts(&self) -> usize {
        self.results
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Fail(_)) && fails_run(r.case.level()))
            .count()
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    summary: JsonSummary,
    cases: Vec<JsonCase<'a>>,
}

#[derive(Serialize)]
struct JsonSummary {
    pass: usize,
    fail: usize,
    skip: usize,
    failed_must: usize,
    seed: u64,
    duration_ms: u64,
}

#[derive(Serialize)]
struct JsonCase<'a> {
    id: &'a str,
    #[serde(rename = "crate")]
    krate: &'a str,
    spec: &'a str,
    level: &'a str,
    kind: &'a str,
    outcome: &'a str,
    reason: Option<&'a str>,
    measurement: Option<&'a str>,
    duration_ms: f64,
}

/// report.json: `{"summary": {...}, "cases": [...]}` as documented in the README.
pub(crate) fn json(report: &Report) -> anyhow::Result<String> {
    let c = report.counts();
    let doc = JsonReport {
        summary: JsonSummary {
            pass: c.pass,
            fail: c.fail,
            skip: c.skip,
            failed_must: report.failed_musts(),
            seed: report.seed,
            duration_ms: report.elapsed.as_millis() as u64,
        },
        cases: report
            .results
            .iter()
            .map(|r| JsonCase {
                id: r.case.id(),
                krate: r.case.krate(),
                spec: r.case.spec(),
                level: r.case.level().as_str(),
                kind: r.case.kind().as_str(),
                outcome: r.outcome.as_str(),
                reason: r.outcome.reason(),
                measurement: r.measurement.as_deref(),
                duration_ms: r.duration.as_secs_f64() * 1e3,
            })
            .collect(),
    };
    Ok(serde_json::to_string_pretty(&doc)?)
}

/// JUnit XML: one suite per crate, one test case per conformance case.
pub(crate) fn junit(report: &Report) -> anyhow::Result<String> {
    let mut junit = quick_junit::Report::new("handshake-conformance");
    let mut suites: BTreeMap<&str, TestSuite> = BTreeMap::new();
    for r in &report.results {
        let status = match &r.outcome {
            Outcome::Pass => TestCaseStatus::success(),
            Outcome::Fail(why) => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(why.as_str())
                    .set_type(r.case.level().as_str());
                s
            }
            Outcome::Skip(why) => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(why.as_str());
                s
            }
        };
        let mut tc = TestCase::new(r.case.id(), status);
        tc.set_classname(format!("{} [{}]", r.case.spec(), r.case.kind().as_str()))
            .set_time(r.duration);
        suites
            .entry(r.case.krate())
            .or_insert_with(|| TestSuite::new(r.case.krate()))
            .add_test_case(tc);
    }
    junit
        .add_test_suites(suites.into_values())
        .set_time(report.elapsed);
    Ok(junit.to_string()?)
}

/// Markdown for a CI job summary.
pub(crate) fn markdown(report: &Report) -> String {
    let c = report.counts();
    let mut md = String::from("## Handshake conformance\n\n");
    md += &format!(
        "**{} passed, {} failed, {} skipped** (seed {}; {} MUST failures)\n\n",
        c.pass,
        c.fail,
        c.skip,
        report.seed,
        report.failed_musts()
    );
    md += "| crate | pass | fail | skip |\n|---|---:|---:|---:|\n";
    for (k, n) in report.by_crate() {
        md += &format!("| {k} | {} | {} | {} |\n", n.pass, n.fail, n.skip);
    }
    for (title, want) in [("Failures", "fail"), ("Skipped", "skip")] {
        let rows: Vec<_> = report
            .results
            .iter()
            .filter(|r| r.outcome.as_str() == want)
            .collect();
        if rows.is_empty() {
            continue;
        }
        md += &format!(
            "\n### {title}\n\n| case | requirement | level | reason |\n|---|---|---|---|\n"
        );
        for r in rows {
            md += &format!(
                "| `{}` | {} | {} | {} |\n",
                r.case.id(),
                r.case.spec(),
                r.case.level().as_str(),
                r.outcome
                    .reason()
                    .unwrap_or("")
                    .replace('|', "\\|")
                    .replace('\n', " ")
            );
        }
    }
    let measured: Vec<_> = report
        .results
        .iter()
        .filter_map(|r| r.measurement.as_deref().map(|m| (r, m)))
        .collect();
    if !measured.is_empty() {
        md += "\n### Measurements\n\n| case | level | outcome | measurement |\n|---|---|---|---|\n";
        for (r, m) in measured {
            md += &format!(
                "| `{}` | {} | {} | {} |\n",
                r.case.id(),
                r.case.level().as_str(),
                r.outcome.as_str(),
                m.replace('|', "\\|").replace('\n', " ")
            );
        }
    }
    md += "\n<details><summary>All cases</summary>\n\n| case | requirement | level | kind | outcome | ms |\n|---|---|---|---|---|---:|\n";
    for r in &report.results {
        md += &format!(
            "| `{}` | {} | {} | {} | {} | {:.1} |\n",
            r.case.id(),
            r.case.spec(),
            r.case.level().as_str(),
            r.case.kind().as_str(),
            r.outcome.as_str(),
            r.duration.as_secs_f64() * 1e3
        );
    }
    md += "\n</details>\n";
    md
}

/// The table grouped by crate, then each failure and skip with its reason.
pub(crate) fn print_human(report: &Report, out: &Path) {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(vec!["crate", "cases", "pass", "fail", "skip"]);
    for (k, n) in report.by_crate() {
        table.add_row(vec![
            Cell::new(k),
            Cell::new(n.pass + n.fail + n.skip).set_alignment(CellAlignment::Right),
            Cell::new(n.pass).set_alignment(CellAlignment::Right),
            Cell::new(n.fail).set_alignment(CellAlignment::Right),
            Cell::new(n.skip).set_alignment(CellAlignment::Right),
        ]);
    }
    println!("{table}");
    let measured: Vec<_> = report
        .results
        .iter()
        .filter_map(|r| r.measurement.as_deref().map(|m| (r, m)))
        .collect();
    if !measured.is_empty() {
        println!("\nMeasurements:");
        for (r, m) in measured {
            println!("  {} ({}): {m}", r.case.id(), r.outcome.as_str());
        }
    }

    let failures: Vec<_> = report
        .results
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Fail(_)))
        .collect();
    if !failures.is_empty() {
        println!("\nFailures:");
        for r in failures {
            let gate = if fails_run(r.case.level()) {
                ""
            } else {
                " (does not fail the run)"
            };
            println!(
                "  FAIL {} [{} {}]{gate}\n       {}",
                r.case.id(),
                r.case.spec(),
                r.case.level().as_str().to_uppercase(),
                r.outcome.reason().unwrap_or("")
            );
        }
    }
    // Skips grouped by reason: usually one missing tool explains many cases.
    let mut skips: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for r in &report.results {
        if let Outcome::Skip(why) = &r.outcome {
            skips.entry(why.as_str()).or_default().push(r.case.id());
        }
    }
    if !skips.is_empty() {
        println!("\nSkipped:");
        for (why, ids) in skips {
            println!("  {} case(s): {why}\n       {}", ids.len(), ids.join(", "));
        }
    }
    let must_failed = report
        .results
        .iter()
        .any(|r| r.case.level() == Level::Must && matches!(r.outcome, Outcome::Fail(_)));
    let c = report.counts();
    println!(
        "\nreports: {}/report.{{json,xml,md,html}}; seed {} ({:.1} s)",
        out.display(),
        report.seed,
        report.elapsed.as_secs_f64()
    );
    println!(
        "conformance: {} passed, {} failed, {} skipped{}",
        c.pass,
        c.fail,
        c.skip,
        if must_failed { " (a MUST failed)" } else { "" }
    );
}

/// Writes report.json, report.xml, report.md and report.html into `out`.
pub(crate) fn write_all(report: &Report, matrix: &Matrix, out: &Path) -> anyhow::Result<()> {
    for (name, text) in [
        ("report.json", json(report)?),
        ("report.xml", junit(report)?),
        ("report.md", markdown(report)),
        ("report.html", html(report, matrix, out)),
    ] {
        let path = out.join(name);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use handshake_conformance::Case;

    /// A result for a case `id` at `level` (the report tests' fixture).
    pub(super) fn result(id: &'static str, level: Level, outcome: Outcome) -> CaseResult {
        CaseResult {
            case: Case::with_level(level, id, "RFC 1071 §3").vector(|_| Outcome::Pass),
            outcome,
            duration: Duration::from_millis(3),
            measurement: None,
        }
    }

    fn sample(require_all: bool) -> Report {
        Report::new(
            vec![
                CaseResult {
                    measurement: Some("Welch t = 0.42".into()),
                    ..result("ip.ok", Level::Must, Outcome::Pass)
                },
                result("ip.bad", Level::Should, Outcome::Fail("off by one".into())),
                result(
                    "tcp.skip",
                    Level::Must,
                    Outcome::Skip("`tshark` not found".into()),
                ),
            ],
            42,
            Duration::from_millis(10),
            require_all,
        )
    }

    #[test]
    fn json_has_the_documented_schema() {
        let v: serde_json::Value = serde_json::from_str(&json(&sample(false)).unwrap()).unwrap();
        assert_eq!(v["summary"]["pass"], 1);
        assert_eq!(v["summary"]["fail"], 1);
        assert_eq!(v["summary"]["skip"], 1);
        let c = &v["cases"][1];
        for key in [
            "id",
            "spec",
            "level",
            "kind",
            "outcome",
            "reason",
            "measurement",
            "duration_ms",
        ] {
            assert!(c.as_object().unwrap().contains_key(key), "missing {key}");
        }
        assert_eq!(c["outcome"], "fail");
        assert!(c["measurement"].is_null());
        assert_eq!(v["cases"][0]["measurement"], "Welch t = 0.42");
        assert_eq!(c["reason"], "off by one");
    }

    #[test]
    fn only_must_failures_fail_the_run_and_require_all_fails_skips() {
        assert_eq!(sample(false).failed_musts(), 0);
        let strict = sample(true);
        assert_eq!(strict.failed_musts(), 1);
        assert!(strict.results[2]
            .outcome
            .reason()
            .unwrap()
            .contains("tshark"));
    }

    #[test]
    fn junit_and_markdown_name_every_case() {
        let r = sample(false);
        let xml = junit(&r).unwrap();
        let md = markdown(&r);
        for id in ["ip.ok", "ip.bad", "tcp.skip"] {
            assert!(xml.contains(id) && md.contains(id), "{id}");
        }
        assert!(xml.contains("<failure") && xml.contains("<skipped"));
        // A measurement shows whatever the outcome: here on a pass.
        assert!(md.contains("### Measurements") && md.contains("Welch t = 0.42"));
    }
}
