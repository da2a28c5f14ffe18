//! `cli.tcp.*`: `handshake tcp`, our TCP sending to the kernel's through a
//! TUN device. Every byte reaches the kernel as sent (its receiver checks
//! them); tshark reads the capture and finds the handshake and, with loss,
//! the retransmissions the summary counts; the chart is an SVG and a PNG of
//! the size it says, with an ssthresh line only once a loss set one
//! (RFC 5681 §3.1: ssthresh starts arbitrarily high and is set on loss).

use std::path::Path;

use serde_json::Value;

use super::support::{fails, T};
use super::via::{read_capture, yes, OURS, TUN};
use crate::check::{self, Checked};
use crate::peers::cli::{self, Scratch};
use crate::Case;

/// Runs `handshake tcp ARGS --json --chart DIR/c --pcap DIR/t.pcap`.
fn run(dir: &Scratch, args: &[&str]) -> Result<Value, String> {
    let (chart, pcap) = (dir.path("c"), dir.path("t.pcap"));
    let mut all = vec!["tcp", "--json", "--chart", &chart, "--pcap", &pcap];
    all.extend_from_slice(args);
    let r = cli::run(&all, T)?;
    check::ensure(r.success, || format!("handshake tcp failed: {}", r.stderr))?;
    serde_json::from_str(&r.stdout).map_err(|e| format!("--json: {e}: {}", r.stdout))
}

/// Our data segments in the capture, and how many of them carry bytes
/// already sent before (a retransmission, counted from the numbers alone).
fn data_segments(pcap: &Path) -> Result<(usize, usize, u64), String> {
    let packets = read_capture(pcap)?;
    check::ensure(
        packets
            .first()
            .is_some_and(|p| p.fields[0] == OURS && yes(&p.fields[1])),
        || "the capture does not start with our SYN".into(),
    )?;
    let (mut segments, mut again, mut highest, mut payload) = (0, 0, None::<u32>, 0u64);
    for p in packets.iter().filter(|p| p.fields[0] == OURS) {
        let len: u32 = p.fields[6].parse().unwrap_or(0);
        if len == 0 {
            continue;
        }
        let seq: u32 = p.fields[4].parse().map_err(|_| "tcp.seq")?;
        segments += 1;
        payload += u64::from(len);
        let end = seq.wrapping_add(len);
        match highest {
            // Serial-number comparison (RFC 1982): does it end beyond all before?
            Some(h) if (end.wrapping_sub(h) as i32) <= 0 => again += 1,
            _ => highest = Some(end),
        }
    }
    Ok((segments, again, payload))
}

/// The PNG's width and height, from its IHDR (RFC 2083 §4.1.1).
fn png_size(png: &[u8]) -> Result<(u32, u32), String> {
    check::ensure(
        png.len() > 24 && png.starts_with(b"\x89PNG\r\n\x1a\n") && &png[12..16] == b"IHDR",
        || "not a PNG".into(),
    )?;
    let be = |i: usize| u32::from_be_bytes([png[i], png[i + 1], png[i + 2], png[i + 3]]);
    Ok((be(16), be(20)))
}

fn clean_transfer() -> Checked {
    let dir = Scratch::new("cli-tcp")?;
    let v = run(&dir, &["--size", "300k"])?;
    check::equal("bytes", v["bytes"].as_u64(), Some(300 * 1024))?;
    check::equal(
        "received by the kernel",
        v["received"].as_u64(),
        Some(300 * 1024),
    )?;
    check::equal("intact", v["intact"].as_bool(), Some(true))?;
    let (segments, again, payload) = data_segments(Path::new(&dir.path("t.pcap")))?;
    // No loss: each byte once (a tail loss probe may resend the last
    // segment, RFC 8985 §7.3), so the payload is the size, or a segment more.
    check::ensure(
        again <= 1 && payload >= 300 * 1024 && segments > 200,
        || format!("{segments} data segments, {again} again, {payload} bytes"),
    )?;
    let svg = String::from_utf8(dir.read("c.svg")?).map_err(|e| e.to_string())?;
    check::ensure(svg.starts_with("<svg") && svg.contains("cwnd"), || {
        "the SVG".into()
    })?;
    check::ensure(
        v["retransmits"].as_u64() != Some(0) || !svg.contains("ssthresh"),
        || "an ssthresh line with no loss".into(),
    )?;
    check::equal("PNG size", png_size(&dir.read("c.png")?)?, (900, 450))
}

fn lossy_transfer() -> Checked {
    let dir = Scratch::new("cli-tcp-loss")?;
    let v = run(
        &dir,
        &[
            "--size", "1M", "--loss", "3", "--delay", "5", "--cc", "newreno", "--seed", "7",
        ],
    )?;
    check::equal(
        "received by the kernel",
        v["received"].as_u64(),
        Some(1 << 20),
    )?;
    check::equal("intact", v["intact"].as_bool(), Some(true))?;
    let retransmits = v["retransmits"].as_u64().ok_or("retransmits")?;
    let (_, again, _) = data_segments(Path::new(&dir.path("t.pcap")))?;
    // The capture is taken before the loss: every retransmission the
    // summary counts is there, re-sending bytes sent before.
    check::ensure(retransmits > 0 && again as u64 >= retransmits, || {
        format!("summary says {retransmits} retransmissions, the capture shows {again}")
    })?;
    let svg = String::from_utf8(dir.read("c.svg")?).map_err(|e| e.to_string())?;
    check::ensure(svg.contains("ssthresh"), || {
        "no ssthresh line after losses".into()
    })?;
    check::equal("congestion control", v["cc"].as_str(), Some("NewReno"))
}

pub(super) fn cases() -> Vec<Case> {
    const POSIX: &str = "IEEE Std 1003.1-2017 XCU §1.4";
    vec![
        Case::must(
            "cli.tcp.transfer-to-the-kernel",
            "RFC 9293 §3.5, §3.8; RFC 5681 §3.1",
        )
        .needs(TUN)
        .interop_os(|_| clean_transfer()),
        Case::must(
            "cli.tcp.loss-retransmitted",
            "RFC 5681 §3.1, §3.2; RFC 6582 §3.2",
        )
        .needs(TUN)
        .interop_os(|_| lossy_transfer()),
        Case::must("cli.tcp.bad-size", POSIX)
            .interop_os(|_| fails(&["tcp", "--size", "0"], "not between 1 byte and 256M")),
        Case::must("cli.tcp.bad-loss", POSIX)
            .interop_os(|_| fails(&["tcp", "--loss", "80"], "a percentage from 0 to 50")),
    ]
}
