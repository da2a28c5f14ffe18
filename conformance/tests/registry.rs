//! The registry itself: ids unique and well-formed, every case cites its requirement.

use std::collections::HashSet;

use handshake_conformance::all_cases;

const CRATES: &[&str] = &["crypto", "ip", "tcp", "tls", "dns", "http", "io"];

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
            ["RFC ", "FIPS ", "NIST ", "SP 800", "IEEE ", "SEC 1"]
                .iter()
                .any(|p| s.contains(p)),
            "{}: spec `{s}` cites no RFC or standard",
            case.id()
        );
    }
}
