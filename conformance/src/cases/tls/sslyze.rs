//! `tls.sslyze.*`: sslyze 6 (Python, installed by .ci/run in the virtual
//! environment target/venv) scans the example server on 127.0.0.1, serving
//! an RSA-2048 certificate with every TLS 1.3 suite and every TLS 1.2 suite
//! that key can serve (the RSA key-exchange suites included, so ROBOT has
//! something to probe). Each case runs only the scans it checks and reads
//! sslyze's JSON report. The server accepts TLS 1.2 clients without the
//! extended master secret here: sslyze probes some suites with a client
//! that has none, and the default (refusing them, RFC 7627 §5.3) would hide
//! those suites from the scan.

use std::path::PathBuf;
use std::time::Duration;

use handshake_tls::tls12::suites::KeyExchange;
use handshake_tls::{CipherSuite, Tls12Suite};
use serde_json::Value;

use super::support::{pki, KeyKind, LeafSpec};
use crate::check::{self, Checked};
use crate::peers::tls_example::{run_to_end, ExampleServer};
use crate::peers::tls_tool::ToolPeer;
use crate::{Case, Outcome};

/// The sslyze program: $HANDSHAKE_SSLYZE, else target/venv/bin/sslyze.
fn sslyze() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("HANDSHAKE_SSLYZE") {
        return Some(PathBuf::from(p));
    }
    let venv = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/venv/bin/sslyze");
    if venv.exists() {
        return Some(venv);
    }
    which::which("sslyze").ok()
}

/// The TLS 1.2 suites an RSA certificate can serve.
fn rsa_suites12() -> Vec<Tls12Suite> {
    Tls12Suite::ALL
        .iter()
        .copied()
        .filter(|s| s.kx() != KeyExchange::EcdheEcdsa)
        .collect()
}

/// Runs sslyze with `scans` against the example server; the JSON report's
/// `scan_result`.
fn scan(program: &std::path::Path, scans: &[&str]) -> Result<Value, String> {
    let p = pki(&LeafSpec {
        kind: KeyKind::Rsa2048,
        ..LeafSpec::default()
    })?;
    let suites: Vec<&str> = CipherSuite::ALL
        .iter()
        .map(|s| s.name())
        .chain(rsa_suites12().iter().map(|s| s.name()))
        .collect();
    let server = ExampleServer::start(
        &p.chain,
        &p.key_pkcs8,
        100_000,
        &[
            "--no-ems-required".to_string(),
            "--suite".to_string(),
            suites.join(","),
        ],
    )?;
    let dir = ToolPeer::scratch("sslyze")?;
    let json = dir.join("report.json");
    let mut args: Vec<String> = vec![
        "--quiet".into(),
        format!("--json_out={}", json.to_string_lossy()),
    ];
    args.extend(scans.iter().map(|s| s.to_string()));
    args.push(format!("localhost:{}{{127.0.0.1}}", server.port));
    let r = run_to_end(
        &program.to_string_lossy(),
        &args,
        ToolPeer::scratch("sslyze-run")?,
        Duration::from_secs(240),
    );
    let text = std::fs::read_to_string(&json);
    let _ = std::fs::remove_dir_all(&dir);
    r?;
    let v: Value = serde_json::from_str(&text.map_err(|e| format!("sslyze's report: {e}"))?)
        .map_err(|e| format!("sslyze's report: {e}"))?;
    let result = &v["server_scan_results"][0];
    check::equal(
        "sslyze's connectivity",
        result["connectivity_status"].as_str(),
        Some("COMPLETED"),
    )?;
    Ok(result["scan_result"].clone())
}

/// One scan command's result, which must have completed.
fn completed<'a>(r: &'a Value, command: &str) -> Result<&'a Value, String> {
    let c = &r[command];
    check::equal(
        &format!("{command} status ({})", c["error_reason"]),
        c["status"].as_str(),
        Some("COMPLETED"),
    )?;
    Ok(&c["result"])
}

/// The names sslyze accepted for `command`, sorted.
fn accepted(r: &Value, command: &str) -> Result<Vec<String>, String> {
    let mut v: Vec<String> = completed(r, command)?["accepted_cipher_suites"]
        .as_array()
        .ok_or_else(|| format!("{command}: no accepted_cipher_suites"))?
        .iter()
        .filter_map(|s| s["cipher_suite"]["name"].as_str().map(String::from))
        .collect();
    v.sort();
    Ok(v)
}

fn sorted(names: impl Iterator<Item = &'static str>) -> Vec<String> {
    let mut v: Vec<String> = names.map(String::from).collect();
    v.sort();
    v
}

fn versions_and_suites(r: &Value) -> Checked {
    for old in [
        "ssl_2_0_cipher_suites",
        "ssl_3_0_cipher_suites",
        "tls_1_0_cipher_suites",
        "tls_1_1_cipher_suites",
    ] {
        check::equal(old, accepted(r, old)?, Vec::<String>::new())?;
    }
    check::equal(
        "TLS 1.3 suites",
        accepted(r, "tls_1_3_cipher_suites")?,
        sorted(CipherSuite::ALL.iter().map(|s| s.name())),
    )?;
    check::equal(
        "TLS 1.2 suites",
        accepted(r, "tls_1_2_cipher_suites")?,
        sorted(rsa_suites12().iter().map(|s| s.name())),
    )
}

/// A case that scans with `scans` and checks the report with `body`; it
/// skips where sslyze is not installed.
fn sslyze_case(
    id: &'static str,
    spec: &'static str,
    scans: &'static [&'static str],
    body: fn(&Value) -> Checked,
) -> Case {
    Case::must(id, spec).interop_peer(move |_| {
        let Some(program) = sslyze() else {
            return Outcome::Skip(
                "sslyze not found: python3 -m venv target/venv && target/venv/bin/pip install sslyze (.ci/run does)"
                    .into(),
            );
        };
        match scan(&program, scans).and_then(|r| body(&r)) {
            Ok(()) => Outcome::Pass,
            Err(e) => Outcome::Fail(e),
        }
    })
}

/// The `tls.sslyze.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        sslyze_case(
            "tls.sslyze.versions-and-suites",
            "RFC 8446 §4.1.1, §4.2.1; RFC 5246 §7.4.1.3 (peer: sslyze 6, TLS 1.3 and 1.2)",
            &[
                "--sslv2",
                "--sslv3",
                "--tlsv1",
                "--tlsv1_1",
                "--tlsv1_2",
                "--tlsv1_3",
            ],
            versions_and_suites,
        ),
        sslyze_case(
            "tls.sslyze.robot",
            "RFC 5246 §7.4.7.1 (peer: sslyze 6 ROBOT scan, TLS 1.2 RSA key exchange)",
            &["--robot"],
            |r| {
                check::equal(
                    "ROBOT",
                    completed(r, "robot")?["robot_result"].as_str(),
                    Some("NOT_VULNERABLE_NO_ORACLE"),
                )
            },
        ),
        sslyze_case(
            "tls.sslyze.ccs-injection",
            "RFC 5246 §7.1 (peer: sslyze 6 CCS injection scan, TLS 1.2)",
            &["--openssl_ccs"],
            |r| {
                check::equal(
                    "vulnerable to CCS injection",
                    completed(r, "openssl_ccs_injection")?["is_vulnerable_to_ccs_injection"]
                        .as_bool(),
                    Some(false),
                )
            },
        ),
        sslyze_case(
            "tls.sslyze.renegotiation",
            "RFC 5746 §3.6, §4.4 (peer: sslyze 6 renegotiation scan, TLS 1.2)",
            &["--reneg"],
            |r| {
                let res = completed(r, "session_renegotiation")?;
                check::equal(
                    "(secure renegotiation, client renegotiation DoS)",
                    (
                        res["supports_secure_renegotiation"].as_bool(),
                        res["is_vulnerable_to_client_renegotiation_dos"].as_bool(),
                    ),
                    (Some(true), Some(false)),
                )
            },
        ),
        sslyze_case(
            "tls.sslyze.fallback-scsv",
            "RFC 7507 §3; RFC 8446 §4.1.3 (peer: sslyze 6 downgrade scan)",
            &["--fallback"],
            |r| {
                check::equal(
                    "TLS_FALLBACK_SCSV honoured",
                    completed(r, "tls_fallback_scsv")?["supports_fallback_scsv"].as_bool(),
                    Some(true),
                )
            },
        ),
    ]
}
