//! `cli.weakness.*`: the three weaknesses of plain HTTP the project's notes
//! name, each shown both ways with `handshake fetch --via tun`, where every
//! packet passes through the program:
//! - eavesdropping: in the capture of an http fetch the request line and a
//!   secret header are readable (by tshark and in the raw bytes); in an
//!   https fetch they are not, and with the key log tshark reads them again;
//! - impersonation: a DNS answer sends the client to a server holding a
//!   valid certificate for another name; http cannot tell and shows the
//!   impostor's page, https refuses, and the capture (decrypted with the
//!   key log) shows our bad_certificate alert;
//! - tampering: one byte flipped in flight with the checksums made right
//!   (`--tamper`, an attacker on the path); http delivers the altered body,
//!   https stops with bad_record_mac and releases none of it.

use std::path::Path;

use super::super::tls::support::{pki, LeafSpec};
use super::support::T;
use super::via::{read_capture, OURS, TUN};
use crate::check::{self, Checked};
use crate::peers::cli::{self, Scratch, Serve};
use crate::peers::dns_server::{answering, DnsServer};
use crate::peers::tls_tool::pem;
use crate::peers::tshark;
use crate::Case;
use handshake_dns::wire::{RData, Record};

/// The header an eavesdropper wants.
const SECRET: &str = "Bearer hs-secret-9f4c2a";
/// The page.
const PAGE: &[u8] = b"<p>balance: 1,000.00</p>\n";

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Values of `field` in the capture, tshark decoding `port` as `proto`,
/// with the key log when given.
fn fields(
    pcap: &Path,
    field: &str,
    port: u16,
    proto: &str,
    keylog: Option<&str>,
) -> Result<Vec<String>, String> {
    let rule = format!("tcp.port=={port},{proto}");
    let pref = keylog.map(|k| format!("tls.keylog_file:{k}"));
    let prefs: Vec<&str> = pref.iter().map(String::as_str).collect();
    Ok(tshark::dissect_with(pcap, &[field], &[&rule], &prefs)?
        .into_iter()
        .map(|p| p.fields[0].clone())
        .filter(|v| !v.is_empty())
        .collect())
}

fn eavesdropping(tls: bool) -> Checked {
    let p = pki(&LeafSpec::default())?;
    let s = Serve::start(&[("account.html", PAGE)], Some((&p.chain, &p.key_pkcs8)))?;
    let dir = Scratch::new("cli-eavesdrop")?;
    std::fs::write(dir.0.join("ca.pem"), pem("CERTIFICATE", &p.ca_der))
        .map_err(|e| e.to_string())?;
    let (port, url) = if tls {
        let port = s.https.ok_or("no https port")?;
        (port, format!("https://localhost:{port}/account.html"))
    } else {
        (s.http, format!("http://127.0.0.1:{}/account.html", s.http))
    };
    let (ca, pcap, keylog, out) = (
        dir.path("ca.pem"),
        dir.path("c.pcap"),
        dir.path("keys.log"),
        dir.path("out"),
    );
    let header = format!("Authorization: {SECRET}");
    let run = cli::run(
        &[
            "fetch", "--via", "tun", "--cafile", &ca, "--keylog", &keylog, "--pcap", &pcap, "-H",
            &header, "-o", &out, &url,
        ],
        T,
    )?;
    check::ensure(run.success, || format!("fetch failed: {}", run.stderr))?;
    check::ensure(dir.read("out")? == PAGE, || "the page differs".into())?;
    let raw = dir.read("c.pcap")?;
    let line = b"GET /account.html HTTP/1.1";
    let pcap = Path::new(&pcap);
    if !tls {
        // Anyone on the path reads both, in the bytes and through tshark's
        // HTTP dissector.
        check::ensure(
            contains(&raw, line) && contains(&raw, SECRET.as_bytes()),
            || "the request line or the secret is not in the capture".into(),
        )?;
        let auth = fields(pcap, "http.authorization", port, "http", None)?;
        return check::equal("what tshark reads", auth, vec![SECRET.to_string()]);
    }
    // RFC 8446 §1: the channel is confidential — neither is in the bytes,
    // and tshark without the keys finds no HTTP at all.
    check::ensure(
        !contains(&raw, line) && !contains(&raw, SECRET.as_bytes()),
        || "the request line or the secret is readable in the https capture".into(),
    )?;
    let blind = fields(pcap, "http.authorization", port, "tls", None)?;
    check::ensure(blind.is_empty(), || {
        format!("tshark read {blind:?} without the keys")
    })?;
    // With the key log our client wrote, tshark decrypts the records and
    // reads them again: the secrets it logged are the ones it used.
    let auth = fields(pcap, "http.authorization", port, "tls", Some(&keylog))?;
    check::equal(
        "what tshark reads with the key log",
        auth,
        vec![SECRET.to_string()],
    )?;
    let uri = fields(pcap, "http.request.uri", port, "tls", Some(&keylog))?;
    check::equal("request URI", uri, vec!["/account.html".to_string()])
}

fn impersonation(tls: bool) -> Checked {
    // The impostor's certificate is valid — issued by a CA the client
    // trusts — but for its own name, not the bank's.
    let p = pki(&LeafSpec {
        names: vec!["impostor.test".into()],
        ..LeafSpec::default()
    })?;
    let s = Serve::start(
        &[("index.html", b"impostor's page")],
        Some((&p.chain, &p.key_pkcs8)),
    )?;
    // The attacker's DNS answer: bank.test is the impostor's address.
    let dns = DnsServer::loopback(answering(|q, _| {
        let mut r = q.response();
        r.header.recursion_available = true;
        let name = q.questions.first()?.name.clone();
        r.answers
            .push(Record::new(name, 60, RData::A([127, 0, 0, 1].into())));
        Some(r)
    }))?;
    let server = dns.addr().to_string();
    let dir = Scratch::new("cli-impostor")?;
    std::fs::write(dir.0.join("ca.pem"), pem("CERTIFICATE", &p.ca_der))
        .map_err(|e| e.to_string())?;
    if !tls {
        // Plain HTTP has nothing to check the server against.
        let url = format!("http://bank.test:{}/index.html", s.http);
        let run = cli::run(&["fetch", "--server", &server, &url], T)?;
        check::ensure(run.success, || format!("fetch failed: {}", run.stderr))?;
        return check::equal(
            "what the client got",
            run.stdout.as_str(),
            "impostor's page",
        );
    }
    let port = s.https.ok_or("no https port")?;
    let url = format!("https://bank.test:{port}/index.html");
    let (ca, pcap, keylog) = (dir.path("ca.pem"), dir.path("i.pcap"), dir.path("keys.log"));
    let run = cli::run(
        &[
            "fetch", "--via", "tun", "--server", &server, "--cafile", &ca, "--keylog", &keylog,
            "--pcap", &pcap, &url,
        ],
        T,
    )?;
    check::ensure(!run.success, || "https accepted the impostor".into())?;
    check::ensure(run.stdout.is_empty(), || {
        format!("output: {:?}", run.stdout)
    })?;
    // RFC 9110 §4.3.4: the certificate must name the URI's host; RFC 8446
    // §6.2: a certificate that fails is refused with an alert.
    check::ensure(
        run.stderr.contains("not valid for bank.test")
            && run.stderr.contains("bad_certificate alert sent"),
        || format!("stderr: {:?}", run.stderr),
    )?;
    // The alert really went on the wire: decrypted from the capture with
    // the key log, our side sent bad_certificate (42).
    let packets = tshark::dissect_with(
        Path::new(&pcap),
        &["ip.src", "tls.alert_message.desc"],
        &[&format!("tcp.port=={port},tls")],
        &[&format!("tls.keylog_file:{keylog}")],
    )?;
    let ours: Vec<&str> = packets
        .iter()
        .filter(|p| p.fields[0] == OURS && !p.fields[1].is_empty())
        .map(|p| p.fields[1].as_str())
        .collect();
    check::equal("our alerts on the wire", ours, vec!["42"])
}

fn tampering(tls: bool) -> Checked {
    // 20 kB: several segments, so the server's second data segment ends
    // inside the body (http) or inside an encrypted record (https).
    let body: Vec<u8> = (0..20_000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let p = pki(&LeafSpec::default())?;
    let s = Serve::start(&[("ledger.txt", &body)], Some((&p.chain, &p.key_pkcs8)))?;
    let dir = Scratch::new("cli-tamper")?;
    std::fs::write(dir.0.join("ca.pem"), pem("CERTIFICATE", &p.ca_der))
        .map_err(|e| e.to_string())?;
    let url = if tls {
        format!(
            "https://localhost:{}/ledger.txt",
            s.https.ok_or("no https port")?
        )
    } else {
        format!("http://127.0.0.1:{}/ledger.txt", s.http)
    };
    let (ca, pcap, out) = (dir.path("ca.pem"), dir.path("t.pcap"), dir.path("out"));
    let run = cli::run(
        &[
            "fetch", "--via", "tun", "--tamper", "2", "--cafile", &ca, "--pcap", &pcap, "-o", &out,
            &url,
        ],
        T,
    )?;
    // The flipped packet itself is valid for tshark: the checksums were
    // made right again, as an attacker on the path would.
    read_capture(Path::new(&pcap))?;
    let got = dir.read("out").unwrap_or_default();
    if !tls {
        // TCP's checksum cannot tell (RFC 9293 §3.1: it is no MAC), and
        // HTTP has none: the altered body is delivered as if sent.
        check::ensure(run.success, || format!("fetch failed: {}", run.stderr))?;
        check::equal("body length", got.len(), body.len())?;
        let diff: Vec<usize> = (0..body.len()).filter(|&i| got[i] != body[i]).collect();
        check::equal("bytes altered", diff.len(), 1)?;
        let i = diff[0];
        return check::equal("the altered byte", got[i], body[i] ^ 0xff);
    }
    // RFC 8446 §5.2: the record fails authentication; bad_record_mac, and
    // nothing of the body is released.
    check::ensure(!run.success, || {
        "https delivered a tampered exchange".into()
    })?;
    check::ensure(run.stderr.contains("record authentication failed"), || {
        format!("stderr: {:?}", run.stderr)
    })?;
    check::ensure(run.stderr.contains("bad_record_mac"), || {
        format!("stderr does not name bad_record_mac: {:?}", run.stderr)
    })?;
    check::ensure(!contains(&got, &body[..64]), || {
        "part of the body was released".into()
    })
}

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case::must(
            "cli.weakness.eavesdropping-http",
            "RFC 9110 §4.2.1; RFC 9112 §3",
        )
        .needs(TUN)
        .interop_os(|_| eavesdropping(false)),
        Case::must(
            "cli.weakness.eavesdropping-https",
            "RFC 9110 §4.2.2; RFC 8446 §1, §5.2",
        )
        .needs(TUN)
        .interop_os(|_| eavesdropping(true)),
        Case::must("cli.weakness.impersonation-http", "RFC 9110 §4.2.1, §17.1")
            .interop_os(|_| impersonation(false)),
        Case::must(
            "cli.weakness.impersonation-https",
            "RFC 9110 §4.3.4; RFC 6125 §6; RFC 8446 §4.4.2.4, §6.2",
        )
        .needs(TUN)
        .interop_os(|_| impersonation(true)),
        Case::must(
            "cli.weakness.tampering-http",
            "RFC 9293 §3.1; RFC 9110 §17.1",
        )
        .needs(TUN)
        .interop_os(|_| tampering(false)),
        Case::must("cli.weakness.tampering-https", "RFC 8446 §5.2, §6.2")
            .needs(TUN)
            .interop_os(|_| tampering(true)),
    ]
}
