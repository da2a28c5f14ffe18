//! `cargo test` runs every offline case (vector, property, simulation) of the
//! suite, one test per crate, so a contributor's usual command exercises
//! them. Interop cases need peers and privileges: `cargo xtask conformance`
//! runs those.
//!
//! As in the runner, a failed MUST fails the test; SHOULD and MAY failures
//! are printed. The seed is fixed so a run replays; set
//! `HANDSHAKE_CONFORMANCE_SEED` to draw other property inputs.

use std::io::Write as _;

use handshake_conformance::{all_cases, Ctx, Level, Outcome};

fn run_offline(krate: &str) {
    let seed = std::env::var("HANDSHAKE_CONFORMANCE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_c0de);
    let cases: Vec<_> = all_cases()
        .into_iter()
        .filter(|c| c.krate() == krate && c.is_offline())
        .collect();
    assert!(!cases.is_empty(), "no offline {krate} cases");
    let (mut pass, mut skip, mut soft) = (0, 0, 0);
    let mut failed = Vec::new();
    for case in &cases {
        let mut ctx = Ctx::new(seed);
        match case.execute(&mut ctx) {
            Outcome::Pass => pass += 1,
            Outcome::Skip(why) => {
                skip += 1;
                println!("skip {}: {why}", case.id());
            }
            Outcome::Fail(why) if case.level() == Level::Must => {
                failed.push(format!("{}: {why}", case.id()));
            }
            Outcome::Fail(why) => {
                soft += 1;
                println!("fail ({}) {}: {why}", case.level().as_str(), case.id());
            }
        }
    }
    // Straight to stderr, past the test harness's capture: `cargo test`
    // shows how many cases each crate's test ran, pass or fail.
    let _ = writeln!(
        std::io::stderr(),
        "conformance {krate}: {} offline cases, {pass} passed, {} MUST failed, {soft} SHOULD/MAY failed, {skip} skipped (seed {seed})",
        cases.len(),
        failed.len()
    );
    assert!(
        failed.is_empty(),
        "{} MUST cases failed (replay with HANDSHAKE_CONFORMANCE_SEED={seed}):\n{}",
        failed.len(),
        failed.join("\n")
    );
}

#[test]
fn crypto_offline_cases() {
    run_offline("crypto");
}

#[test]
fn ip_offline_cases() {
    run_offline("ip");
}

#[test]
fn link_offline_cases() {
    run_offline("link");
}

#[test]
fn tcp_offline_cases() {
    run_offline("tcp");
}

#[test]
fn dns_offline_cases() {
    run_offline("dns");
}

#[test]
fn tls_offline_cases() {
    run_offline("tls");
}

#[test]
fn http_offline_cases() {
    run_offline("http");
}
