//! `cli.via.*`: `handshake fetch --via tun`, our TCP/IP from IP up through
//! a TUN device in a network namespace of its own, whose kernel relays to
//! the server. The bytes nginx serves arrive exactly, over http and https;
//! tshark reads the capture `--pcap` writes (every checksum valid, the
//! three-way handshake's numbers, both FINs), and the sequence numbers on
//! the ladder are the capture's; the options that need the TUN path are
//! refused without it, in one line. `--via tap` does the same through a TAP
//! device, and its ladder opens with our ARP request for the kernel's
//! address and the kernel's reply (RFC 826), before the SYN.

use std::path::Path;

use serde_json::Value;

use super::super::tls::support::{pki, LeafSpec};
use super::support::{fails, T};
use crate::check::{self, Checked};
use crate::peers::cli::{self, Scratch};
use crate::peers::nginx::{Nginx, NGINX};
use crate::peers::tls_tool::pem;
use crate::peers::tshark::{self, Dissected};
use crate::{Case, Need};

/// Our end and the kernel's in the namespace (handshake_io::netns).
pub(super) const OURS: &str = "192.0.2.2";
pub(super) const KERNEL: &str = "192.0.2.1";

/// tshark prints booleans as 1/0 (Wireshark 4.0) or True/False (later).
pub(super) fn yes(v: &str) -> bool {
    v == "1" || v.eq_ignore_ascii_case("true")
}

/// The TCP steps (not notes) of a `fetch --json` trace, in order.
fn tcp_steps(v: &Value) -> Vec<(String, String)> {
    v["trace"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["layer"] == "TCP" && s["dir"] != "note")
        .map(|s| {
            (
                s["dir"].as_str().unwrap_or("").to_string(),
                s["text"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// The number after `key=` in a ladder line.
fn number(line: &str, key: &str) -> Option<u32> {
    line.split_whitespace()
        .find_map(|w| w.strip_prefix(key))
        .and_then(|n| n.parse().ok())
}

/// Runs tshark over the capture: each packet's source, SYN, ACK, FIN,
/// sequence and acknowledgment numbers, payload length and MSS option;
/// fails on any checksum error or malformed packet.
pub(super) fn read_capture(pcap: &Path) -> Result<Vec<Dissected>, String> {
    let packets = tshark::dissect(
        pcap,
        &[
            "ip.src",
            "tcp.flags.syn",
            "tcp.flags.ack",
            "tcp.flags.fin",
            "tcp.seq",
            "tcp.ack",
            "tcp.len",
            "tcp.options.mss_val",
        ],
    )?;
    for (i, p) in packets.iter().enumerate() {
        check::ensure(p.errors.is_empty(), || {
            format!("tshark on packet {}: {:?}", i + 1, p.errors)
        })?;
    }
    Ok(packets)
}

/// Over TAP, the ladder's first steps: our ARP request for the kernel's
/// address and the kernel's reply with a MAC that is not ours, both before
/// the first TCP step.
fn arp_first(v: &Value) -> Checked {
    let steps: Vec<(String, String, String)> = v["trace"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["dir"] != "note")
        .map(|s| {
            let f = |k: &str| s[k].as_str().unwrap_or("").to_string();
            (f("layer"), f("dir"), f("text"))
        })
        .collect();
    let first_tcp = steps
        .iter()
        .position(|(l, _, _)| l == "TCP")
        .ok_or("no TCP step on the ladder")?;
    let arp = &steps[..first_tcp];
    let ours = "02:00:5e:00:53:02";
    let request = format!("who has {KERNEL}? tell {OURS} ({ours})");
    check::ensure(
        arp.iter()
            .any(|(l, d, t)| l == "ARP" && d == "out" && *t == request),
        || format!("no ARP request from us before the SYN: {arp:?}"),
    )?;
    let reply = arp
        .iter()
        .find(|(l, d, t)| l == "ARP" && d == "in" && t.starts_with(&format!("{KERNEL} is at ")))
        .ok_or_else(|| format!("no ARP reply from the kernel before the SYN: {arp:?}"))?;
    let mac = reply.2.rsplit(' ').next().unwrap_or("");
    check::ensure(mac.len() == 17 && mac != ours, || {
        format!("the kernel's MAC {mac:?}")
    })
}

fn nginx_bytes(tls: bool, via: &str) -> Checked {
    let p = pki(&LeafSpec::default())?;
    // 100 kB: dozens of segments, more than one window's worth of ACKs.
    let body: Vec<u8> = (0..100_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let ng = Nginx::start(&[("f.bin", &body)], Some((&p.chain, &p.key_pkcs8)))?;
    let dir = Scratch::new("cli-via-tun")?;
    std::fs::write(dir.0.join("ca.pem"), pem("CERTIFICATE", &p.ca_der))
        .map_err(|e| e.to_string())?;
    let url = if tls {
        format!(
            "https://localhost:{}/f.bin",
            ng.https.ok_or("no https port")?
        )
    } else {
        format!("http://127.0.0.1:{}/f.bin", ng.http)
    };
    let (ca, pcap, out) = (dir.path("ca.pem"), dir.path("t.pcap"), dir.path("out"));
    let run = cli::run(
        &[
            "fetch", "--via", via, "--json", "--cafile", &ca, "--pcap", &pcap, "-o", &out, &url,
        ],
        T,
    )?;
    check::ensure(run.success, || format!("fetch failed: {}", run.stderr))?;
    check::ensure(dir.read("out")? == body, || {
        "the body differs from what nginx serves".into()
    })?;
    let v: Value = serde_json::from_str(&run.stdout).map_err(|e| format!("--json: {e}"))?;
    if via == "tap" {
        arp_first(&v)?;
    }
    let steps = tcp_steps(&v);
    let packets = read_capture(Path::new(&pcap))?;
    check::ensure(packets.len() >= 10, || {
        format!("{} packets captured", packets.len())
    })?;
    let f = |i: usize, k: usize| packets[i].fields[k].as_str();
    // RFC 9293 §3.5: SYN from us with our ISN and an MSS option (§3.7.1),
    // SYN-ACK acknowledging ISN+1, then our ACK of the kernel's ISN+1.
    check::equal("packet 1 source", f(0, 0), OURS)?;
    check::ensure(yes(f(0, 1)) && !yes(f(0, 2)), || {
        "packet 1 is not a SYN".into()
    })?;
    check::ensure(!f(0, 7).is_empty(), || "our SYN has no MSS option".into())?;
    check::equal("packet 2 source", f(1, 0), KERNEL)?;
    check::ensure(yes(f(1, 1)) && yes(f(1, 2)), || {
        "packet 2 is not a SYN-ACK".into()
    })?;
    let isn: u32 = f(0, 4).parse().map_err(|_| "SYN seq")?;
    let peer_isn: u32 = f(1, 4).parse().map_err(|_| "SYN-ACK seq")?;
    check::equal(
        "SYN-ACK's ack",
        f(1, 5),
        isn.wrapping_add(1).to_string().as_str(),
    )?;
    check::equal(
        "our ACK's ack",
        f(2, 5),
        peer_isn.wrapping_add(1).to_string().as_str(),
    )?;
    // The ladder shows the capture's numbers, not relative ones.
    check::ensure(steps.len() >= 6, || format!("TCP steps: {steps:?}"))?;
    check::ensure(steps[0].1.starts_with("SYN seq="), || {
        format!("{:?}", steps[0])
    })?;
    check::equal("ladder SYN seq", number(&steps[0].1, "seq="), Some(isn))?;
    check::ensure(steps[1].1.starts_with("SYN-ACK "), || {
        format!("{:?}", steps[1])
    })?;
    check::equal(
        "ladder SYN-ACK seq",
        number(&steps[1].1, "seq="),
        Some(peer_isn),
    )?;
    check::equal(
        "ladder ACK ack",
        number(&steps[2].1, "ack="),
        Some(peer_isn.wrapping_add(1)),
    )?;
    // Every byte came through our TCP: the kernel's payload is at least
    // the body (plus the HTTP head, plus TLS records for https).
    let carried: u64 = packets
        .iter()
        .filter(|p| p.fields[0] == KERNEL)
        .filter_map(|p| p.fields[6].parse::<u64>().ok())
        .sum();
    check::ensure(carried > body.len() as u64, || {
        format!("the kernel sent {carried} payload bytes")
    })?;
    // Both sides closed (RFC 9293 §3.6): a FIN each way, ours first, and
    // the last packet is our ACK of the kernel's FIN, as the ladder's last
    // TCP step says.
    let fins: Vec<&str> = packets
        .iter()
        .filter(|p| yes(&p.fields[3]))
        .map(|p| p.fields[0].as_str())
        .collect();
    check::equal("FINs", fins, vec![OURS, KERNEL])?;
    let last = packets.len() - 1;
    check::equal("last packet source", f(last, 0), OURS)?;
    let ladder_last = &steps[steps.len() - 1].1;
    check::equal(
        "ladder's last ack",
        number(ladder_last, "ack="),
        f(last, 5).parse().ok(),
    )
}

/// What the `--via tun` cases need.
pub(super) const TUN: &[Need] = &[Need::NetAdmin, tshark::NEED];

pub(super) fn cases() -> Vec<Case> {
    const POSIX: &str = "IEEE Std 1003.1-2017 XCU §1.4";
    vec![
        Case::must(
            "cli.via.tun-nginx-http",
            "RFC 9293 §3.5, §3.6, §3.7.1; RFC 9112 §6",
        )
        .needs(&[NGINX])
        .needs(TUN)
        .interop_os(|_| nginx_bytes(false, "tun")),
        Case::must(
            "cli.via.tun-nginx-https",
            "RFC 9293 §3.5, §3.6; RFC 8446 §2; RFC 9110 §4.2.2",
        )
        .needs(&[NGINX])
        .needs(TUN)
        .interop_os(|_| nginx_bytes(true, "tun")),
        Case::must(
            "cli.via.tap-nginx-http",
            "RFC 826; RFC 894; RFC 9293 §3.5, §3.6; RFC 9112 §6",
        )
        .needs(&[NGINX])
        .needs(TUN)
        .interop_os(|_| nginx_bytes(false, "tap")),
        Case::must("cli.via.pcap-needs-tun", POSIX).interop_os(|_| {
            fails(
                &[
                    "fetch",
                    "--pcap",
                    "/nonexistent/x.pcap",
                    "http://127.0.0.1:9/",
                ],
                "--pcap needs --via tun",
            )
        }),
        Case::must("cli.via.tamper-needs-tun", POSIX).interop_os(|_| {
            fails(
                &["fetch", "--tamper", "1", "http://127.0.0.1:9/"],
                "--tamper needs --via tun",
            )
        }),
    ]
}
