//! The registry itself: ids unique and well-formed, every case cites its requirement.

use std::collections::HashSet;

use handshake_conformance::all_cases;

const CRATES: &[&str] = &[
    "crypto", "ip", "link", "tcp", "tls", "dns", "http", "io", "cli",
];

#[test]
fn ids_are_unique_and_begin_with_a_crate() {
    let mut seen = HashSet::new();
    for case in all_cases() {
        assert!(
            seen.insert(case.id().to_string()),
            "duplicate case id {}",
            case.id()
        );
        assert!(
            CRATES.contains(&case.krate()),
            "{} does not begin with a crate name",
            case.id()
        );
        assert!(
            case.id()
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_".contains(c)),
            "{} has characters other than [a-z0-9.-_]",
            case.id()
        );
    }
}

#[test]
fn every_case_cites_a_specification() {
    for case in all_cases() {
        let s = case.spec();
        assert!(
            [
                "RFC ",
                "FIPS ",
                "NIST ",
                "SP 800",
                "IEEE ",
                "SEC 1",
                "draft-ietf-",
                // The `handshake` command's shell completion (bash's own spec).
                "Bash Reference Manual"
            ]
            .iter()
            .any(|p| s.contains(p)),
            "{}: spec `{s}` cites no RFC or standard",
            case.id()
        );
    }
}

/// `cases/<crate>/<group>.rs` (or a file under `cases/<crate>/<group>/`) builds
/// exactly the cases `<crate>.<group>.*`, so an id tells where its case is.
#[test]
fn every_case_lives_in_the_file_its_id_names() {
    let mut wrong = Vec::new();
    for case in all_cases() {
        let path = case.source().replace('\\', "/");
        let mut parts = case.id().split('.');
        let (krate, group) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let file = format!("src/cases/{krate}/{group}.rs");
        let folder = format!("src/cases/{krate}/{group}/");
        if !(path.ends_with(&file) || path.contains(&folder)) {
            wrong.push(format!("{} is built in {path}, want {file}", case.id()));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} cases in the wrong file:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// A support module holds helpers only.
#[test]
fn support_modules_build_no_cases() {
    for case in all_cases() {
        assert!(
            !case.source().ends_with("support.rs"),
            "{} is built in {}",
            case.id(),
            case.source()
        );
    }
}

#[test]
fn every_timing_case_runs_alone() {
    // A dudect measurement beside another case measures that case's load:
    // the runner keeps the machine for it only when the case says so.
    let timing: Vec<_> = all_cases()
        .into_iter()
        .filter(|c| c.id().contains(".timing-"))
        .collect();
    assert!(timing.len() >= 8, "{} timing cases", timing.len());
    for case in timing {
        assert!(case.runs_alone(), "{} does not run alone", case.id());
    }
}
