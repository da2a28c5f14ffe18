//! tshark: Wireshark's dissectors as an independent reader of our packets.

use std::path::Path;
use std::process::Command;

use crate::Need;

/// What a tshark case needs.
pub const NEED: Need = Need::binary("tshark", "tshark");

/// Expert-info severity of an error (`PI_ERROR` in epan/proto.h): malformed
/// packets and bad checksums are reported at this level.
const PI_ERROR: u64 = 0x0080_0000;

/// One dissected packet: the value of each requested field, in request order
/// (repeated fields joined with `,`; empty when absent), plus tshark's own
/// complaints about it.
#[derive(Debug)]
pub struct Dissected {
    /// Field values, in the order they were asked for.
    pub fields: Vec<String>,
    /// Expert messages of error severity, and a note if the packet was malformed.
    pub errors: Vec<String>,
}

/// Runs tshark over `pcap` and returns one [`Dissected`] per packet.
///
/// Checksum validation is on for IPv4, TCP, UDP and ICMP; sequence numbers are
/// absolute; transport payloads are decoded as plain data, so that random
/// payloads are not read as some application protocol.
pub fn dissect(pcap: &Path, fields: &[&str]) -> Result<Vec<Dissected>, String> {
    dissect_as(
        pcap,
        fields,
        &["udp.port==1-65535,data", "tcp.port==1-65535,data"],
    )
}

/// [`dissect`] with tshark's own "Decode As" rules (`-d`) in place of "all
/// payloads are data": `&[]` lets tshark pick dissectors by port (DNS on 53).
pub fn dissect_as(
    pcap: &Path,
    fields: &[&str],
    decode_as: &[&str],
) -> Result<Vec<Dissected>, String> {
    dissect_with(pcap, fields, decode_as, &[])
}

/// [`dissect_as`] with more preferences (`-o`), such as
/// `tls.keylog_file:PATH` to decrypt TLS with a key-log file.
pub fn dissect_with(
    pcap: &Path,
    fields: &[&str],
    decode_as: &[&str],
    prefs: &[&str],
) -> Result<Vec<Dissected>, String> {
    let mut cmd = Command::new("tshark");
    cmd.arg("-n").arg("-r").arg(pcap);
    for pref in [
        "ip.check_checksum:TRUE",
        "tcp.check_checksum:TRUE",
        "udp.check_checksum:TRUE",
        "tcp.relative_sequence_numbers:FALSE",
        "tcp.analyze_sequence_numbers:FALSE",
    ]
    .iter()
    .chain(prefs)
    {
        cmd.args(["-o", pref]);
    }
    for rule in decode_as {
        cmd.args(["-d", rule]);
    }
    cmd.args([
        "-T",
        "fields",
        "-E",
        "separator=/t",
        "-E",
        "occurrence=a",
        "-E",
        "aggregator=,",
    ]);
    for f in ["_ws.malformed", "_ws.expert.severity", "_ws.expert.message"]
        .iter()
        .chain(fields)
    {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().map_err(|e| format!("running tshark: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "tshark exited with {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let text = String::from_utf8(out.stdout).map_err(|e| format!("tshark output: {e}"))?;
    Ok(text
        .lines()
        .map(|line| parse_line(line, fields.len()))
        .collect())
}

fn parse_line(line: &str, n: usize) -> Dissected {
    let mut cols = line.split('\t');
    let malformed = cols.next().unwrap_or("");
    let severities = cols.next().unwrap_or("");
    let messages = cols.next().unwrap_or("");
    let mut errors = Vec::new();
    if !malformed.is_empty() {
        errors.push("tshark: malformed packet".to_string());
    }
    // Messages may themselves contain commas, so report them whole.
    if severities
        .split(',')
        .any(|s| s.trim().parse::<u64>().is_ok_and(|s| s >= PI_ERROR))
    {
        errors.push(format!("tshark expert error: {messages}"));
    }
    let mut fields: Vec<String> = cols.map(str::to_string).collect();
    fields.resize(n, String::new());
    Dissected { fields, errors }
}
