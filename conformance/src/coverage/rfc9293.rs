//! RFC 9293 Appendix B (Table 8): every numbered requirement of the TCP
//! summary against the cases that check it, or the reason it does not apply
//! to a sans-IO, ICMP-free TCP. A case also covers a row when its `spec`
//! names the row's id (`MUST-39`, `SHLD-7`) beside "RFC 9293".

use super::{Disposition, Requirement};
use crate::Level;

/// The level a Table 8 id states: `MUST-n`, `SHLD-n` and `REC-n` (SHOULD), `MAY-n`.
const fn level_of(id: &str) -> Level {
    match id.as_bytes() {
        [b'M', b'U', ..] => Level::Must,
        [b'M', b'A', ..] => Level::May,
        _ => Level::Should,
    }
}

const fn r(id: &'static str, feature: &'static str, cases: &'static [&'static str]) -> Requirement {
    Requirement {
        id,
        section: "",
        level: level_of(id),
        feature,
        disposition: Disposition::Cases(cases),
    }
}

const fn na(id: &'static str, feature: &'static str, reason: &'static str) -> Requirement {
    Requirement {
        id,
        section: "",
        level: level_of(id),
        feature,
        disposition: Disposition::NotApplicable(reason),
    }
}

const fn dev(id: &'static str, feature: &'static str, reason: &'static str) -> Requirement {
    Requirement {
        id,
        section: "",
        level: level_of(id),
        feature,
        disposition: Disposition::Deviation(reason),
    }
}

/// A scope decision, so a deviation (counted), not "not applicable": the
/// ICMP rows hold or fail only once ICMP reaches the connection.
const IP_LAYER: &str = "an IP-layer matter: the sans-IO connection hands segments to the caller, whose IP layer (handshake-ip's Ipv4Repr/Ipv6Repr) writes the header fields";
const SOURCE_ROUTE: &str = "deviation (scope): handshake-ip does not implement IP source routing (RFC 7126 recommends dropping such packets), so there is no route to honour or reverse";

/// RFC 9293 Table 8, in the table's order.
pub(super) static ROWS: &[Requirement] = &[
    // PUSH flag
    na("MAY-16", "Aggregate or queue un-pushed data", "optional: every send() is treated as pushed"),
    r("SHLD-27", "Sender collapse successive PSH bits", &["tcp.push.psh-on-last-segment"]),
    na("MAY-15", "SEND call can specify PUSH", "optional: every send() is treated as pushed"),
    r("MUST-60", "If cannot: sender buffer indefinitely (MUST NOT)", &["tcp.push.psh-on-last-segment"]),
    r("MUST-61", "If cannot: PSH last segment", &["tcp.push.psh-on-last-segment"]),
    na("MAY-17", "Notify receiving ALP of PSH", "optional: data is readable as soon as it is in order"),
    r("SHLD-28", "Send max size segment when possible", &["tcp.flow.sender-sws-avoidance", "tcp.conn.options.mss"]),
    // Window
    r("MUST-1", "Treat as unsigned number", &["tcp.window.unsigned"]),
    r("REC-1", "Handle as 32-bit number", &["tcp.conn.options.window-scale-both-syns"]),
    r("SHLD-14", "Shrink window from right (SHOULD NOT)", &["tcp.flow.window-not-shrunk"]),
    r("SHLD-15", "Send new data when window shrinks (SHOULD NOT)", &["tcp.window.peer-shrinks"]),
    r("SHLD-16", "Retransmit old unacked data within window", &["tcp.window.peer-shrinks"]),
    r("SHLD-17", "Time out conn for data past right edge (SHOULD NOT)", &["tcp.window.peer-shrinks"]),
    r("MUST-34", "Robust against shrinking window", &["tcp.window.peer-shrinks"]),
    na("MAY-8", "Receiver's window closed indefinitely", "optional; the receive window closes only while the application does not read"),
    r("MUST-35", "Use standard probing logic", &["tcp.flow.zero-window-probes-back-off"]),
    r("MUST-36", "Sender probe zero window", &["tcp.flow.zero-window-probes-back-off"]),
    r("SHLD-29", "First probe after RTO", &["tcp.flow.zero-window-probes-back-off"]),
    r("SHLD-30", "Exponential backoff", &["tcp.flow.zero-window-probes-back-off"]),
    r("MUST-37", "Allow window stay zero indefinitely", &["tcp.flow.zero-window-indefinitely"]),
    na("MAY-7", "Retransmit old data beyond SND.UNA+SND.WND", "optional and not done: retransmissions stay inside the window"),
    r("MUST-66", "Process RST and URG even with zero window", &["tcp.urg.zero-window", "tcp.window.rst-at-zero-window"]),
    // Urgent data
    r("MUST-30", "Include support for urgent pointer", &["tcp.urg.pointer-first-non-urgent"]),
    r("MUST-62", "Pointer indicates first non-urgent octet", &["tcp.urg.pointer-first-non-urgent"]),
    r("MUST-31", "Arbitrary length urgent data sequence", &["tcp.urg.any-length"]),
    r("MUST-32", "Inform ALP asynchronously of urgent data", &["tcp.urg.application-informed"]),
    r("MUST-33", "ALP can learn if/how much urgent data Q'd", &["tcp.urg.application-informed"]),
    na("SHLD-13", "ALP employ the urgent mechanism (SHOULD NOT)", "advice to applications, not to the TCP"),
    // TCP options
    r("MUST-4", "Support the mandatory option set", &["tcp.wire.options-in-any-segment"]),
    r("MUST-5", "Receive TCP Option in any segment", &["tcp.wire.nop-padding"]),
    r("MUST-6", "Ignore unsupported options", &["tcp.wire.unknown-option-skipped"]),
    r("MUST-68", "Include length for all options except EOL+NOP", &["tcp.wire.roundtrip", "tcp.wire.mss-emitted"]),
    r("MUST-7", "Cope with illegal option length", &["tcp.wire.option-len-zero"]),
    r("MUST-64", "Process options regardless of word alignment", &["tcp.wire.options-any-layout"]),
    r("MUST-14", "Implement sending & receiving MSS Option", &["tcp.wire.mss-emitted", "tcp.conn.options.mss"]),
    r("SHLD-5", "IPv4/IPv6 Send MSS Option unless 536/1220", &["tcp.conn.options.mss"]),
    r("MAY-3", "Send MSS Option always", &["tcp.conn.options.mss"]),
    r("MUST-15", "IPv4 Send-MSS default is 536, IPv6 1220", &["tcp.conn.options.default-mss"]),
    r("MUST-16", "Calculate effective send seg size", &["tcp.conn.options.mss"]),
    na("SHLD-6", "MSS accounts for varying MTU", "path MTU is the IP layer's; the caller lowers Config::mss when its MTU changes"),
    r("MUST-65", "MSS not sent on non-SYN segments (MUST NOT)", &["tcp.conn.options.mss-only-in-syn"]),
    na("MUST-67", "MSS value based on MMS_R", "MMS_R is the IP layer's; Config::mss takes it from the caller (default 1460 = a 1500-byte MTU less 40)"),
    r("MUST-69", "Pad with zero", &["tcp.wire.options-padded-with-zero"]),
    // Checksums
    r("MUST-2", "Sender compute checksum", &["tcp.wire.checksum-verifies-to-zero"]),
    r("MUST-3", "Receiver check checksum", &["tcp.wire.bad-checksum"]),
    // ISN selection
    r("MUST-8", "Include a clock-driven ISN generator component", &["tcp.conn.isn.rfc6528"]),
    r("SHLD-1", "Secure ISN generator with a PRF component", &["tcp.conn.isn.rfc6528"]),
    r("MUST-9", "PRF computable from outside the host (MUST NOT)", &["tcp.conn.isn.rfc6528"]),
    // Opening connections
    r("MUST-10", "Support simultaneous open attempts", &["tcp.conn.handshake.simultaneous-open"]),
    r("MUST-11", "SYN-RECEIVED remembers last state", &["tcp.conn.listen.rst-back-to-listen", "tcp.conn.open.syn-received-active-rst"]),
    r("MUST-41", "Passive OPEN call interfere with others (MUST NOT)", &["tcp.conn.listen.independent-listeners"]),
    r("MUST-42", "Function: simultaneously LISTENs for same port", &["tcp.conn.listen.independent-listeners"]),
    na("MUST-44", "Ask IP for src address for SYN if necessary", "the caller gives every connection its local address; choosing one is the adapter's routing decision"),
    r("MUST-45", "Otherwise, use local addr of connection", &["tcp.conn.open.local-address"]),
    r("MUST-46", "OPEN to broadcast/multicast IP address (MUST NOT); reject OPEN to invalid address", &["tcp.conn.open.invalid-address-rejected"]),
    r("MUST-57", "Silently discard seg to bcast/mcast addr", &["tcp.conn.listen.invalid-address-ignored"]),
    // Closing connections
    r("SHLD-2", "RST can contain data", &["tcp.conn.rst.with-data"]),
    r("MUST-12", "Inform application of aborted conn", &["tcp.conn.rst.exact-resets"]),
    na("MAY-1", "Half-duplex close connections", "optional and not taken: close() is a half-close after which the application still reads, as shutdown(SHUT_WR) (tcp.conn.close.half-close checks that)"),
    na("SHLD-3", "Send RST to indicate data lost", "close() is a half-close after which the application still reads (MAY-1 is not taken), so no received data is lost at close; abort() sends the RST"),
    r("MUST-13", "In TIME-WAIT state for 2MSL seconds", &["tcp.conn.close.time-wait-2msl", "tcp.robust.time-wait-rfc-default"]),
    na("MAY-2", "Accept SYN from TIME-WAIT state", "optional and not done: a SYN in TIME-WAIT gets a challenge ACK (RFC 5961 §4.2)"),
    na("SHLD-4", "Use Timestamps to reduce TIME-WAIT", "applies to accepting SYNs in TIME-WAIT (MAY-2), which is not done"),
    // Retransmissions
    r("MUST-19", "Implement exponential backoff, slow start, and congestion avoidance", &["tcp.conn.rto.backoff"]),
    na("MAY-4", "Retransmit with same IP identity", IP_LAYER),
    r("MUST-18", "Karn's algorithm", &["tcp.conn.rto.karn"]),
    // Generating ACKs
    r("MUST-58", "Aggregate whenever possible", &["tcp.flow.ack-aggregation"]),
    r("SHLD-31", "Queue out-of-order segments", &["tcp.conn.reassembly.out-of-order"]),
    r("MUST-59", "Process all Q'd before send ACK", &["tcp.flow.ack-aggregation"]),
    r("MAY-13", "Send ACK for out-of-order segment", &["tcp.flow.out-of-order-acked-at-once"]),
    r("SHLD-18", "Delayed ACKs", &["tcp.flow.delayed-ack-every-second-segment"]),
    r("MUST-40", "Delay < 0.5 seconds", &["tcp.flow.delayed-ack-under-half-second"]),
    r("SHLD-19", "Every 2nd full-sized segment or 2*RMSS ACK'd", &["tcp.flow.delayed-ack-every-second-segment"]),
    r("MUST-39", "Receiver SWS-Avoidance Algorithm", &["tcp.flow.receiver-sws-avoidance"]),
    // Sending data
    na("MUST-49", "Configurable TTL", IP_LAYER),
    r("MUST-38", "Sender SWS-Avoidance Algorithm", &["tcp.flow.sender-sws-avoidance"]),
    r("SHLD-7", "Nagle algorithm", &["tcp.flow.nagle-coalesces"]),
    r("MUST-17", "Application can disable Nagle algorithm", &["tcp.flow.nagle-can-be-disabled"]),
    // Connection failures
    r("MUST-20", "Negative advice to IP on R1; close connection on R2", &["tcp.conn.rto.give-up", "tcp.conn.rto.r1-notifies"]),
    r("MUST-21", "ALP can set R2", &["tcp.conn.rto.give-up"]),
    r("SHLD-9", "Inform ALP of R1<=retxs<R2", &["tcp.conn.rto.r1-notifies"]),
    r("SHLD-10", "Recommended value for R1", &["tcp.conn.rto.r1-notifies"]),
    r("SHLD-11", "Recommended value for R2", &["tcp.conn.rto.r2-at-least-100s"]),
    r("MUST-22", "Same mechanism for SYNs", &["tcp.conn.rto.syn-r2-three-minutes"]),
    r("MUST-23", "R2 at least 3 minutes for SYN", &["tcp.conn.rto.syn-r2-three-minutes"]),
    // Keep-alive
    r("MAY-5", "Send Keep-alive Packets", &["tcp.keepalive.probe-after-idle"]),
    r("MUST-24", "Application can request keep-alives", &["tcp.keepalive.probe-after-idle"]),
    r("MUST-25", "Keep-alive default is off", &["tcp.keepalive.off-by-default"]),
    r("MUST-26", "Only send if idle for interval", &["tcp.keepalive.only-when-idle"]),
    r("MUST-27", "Interval configurable", &["tcp.keepalive.probe-after-idle"]),
    r("MUST-28", "Default at least 2 hrs.", &["tcp.keepalive.default-idle-two-hours"]),
    r("MUST-29", "Tolerant of lost ACKs", &["tcp.keepalive.lost-acks-tolerated"]),
    r("SHLD-12", "Send with no data", &["tcp.keepalive.probe-after-idle"]),
    r("MAY-6", "Configurable to send garbage octet", &["tcp.keepalive.garbage-octet"]),
    // IP options
    na("MUST-50", "Ignore options TCP doesn't understand", "the connection receives segments, never IP options; handshake-ip keeps and skips them (ip.ipv4.options-kept)"),
    na("MAY-10", "Timestamp support", IP_LAYER),
    na("MAY-11", "Record Route support", IP_LAYER),
    dev("MUST-51", "Source Route: ALP can specify", SOURCE_ROUTE),
    dev("MUST-52", "Source Route: overrides src route in datagram", SOURCE_ROUTE),
    dev("MUST-53", "Source Route: build return route from src route", SOURCE_ROUTE),
    dev("SHLD-24", "Source Route: later src route overrides", SOURCE_ROUTE),
    // ICMP
    r("MUST-54", "Receiving ICMP messages from IP", &["tcp.icmp.kernel-fragmentation-needed", "tcp.icmp.kernel-packet-too-big-v6", "tcp.icmp.blind-errors-ignored"]),
    r("SHLD-25", "Dest Unreach (0,1,5) => inform ALP", &["tcp.icmp.soft-errors-do-not-abort"]),
    r("MUST-56", "Abort on Dest Unreach (0,1,5), Time Exceeded, Param Problem (MUST NOT)", &["tcp.icmp.soft-errors-do-not-abort"]),
    r("SHLD-26", "Dest Unreach (2-4) => abort conn", &["tcp.icmp.hard-errors-abort"]),
    r("MUST-55", "Source Quench => silent discard", &["tcp.icmp.source-quench-discarded"]),
    // Address validation
    r("MUST-63", "Reject SYN from invalid IP address", &["tcp.conn.listen.invalid-address-ignored"]),
    // TCP/ALP interface services
    r("MUST-47", "Error Report mechanism", &["tcp.conn.rst.exact-resets", "tcp.conn.rto.give-up"]),
    na("SHLD-20", "ALP can disable Error Report Routine", "events are polled: an application that does not want them does not read them"),
    na("MUST-48", "ALP can specify Diffserv field for sending", IP_LAYER),
    na("SHLD-22", "Diffserv passed unchanged to IP", IP_LAYER),
    na("SHLD-21", "ALP can change Diffserv field during connection", IP_LAYER),
    na("SHLD-23", "ALP generally changing Diffserv during conn. (SHOULD NOT)", "advice to applications, not to the TCP"),
    na("MAY-9", "Pass received Diffserv field up to ALP", IP_LAYER),
    na("MAY-14", "FLUSH call", "optional and not provided"),
    r("MUST-43", "Optional local IP addr param in OPEN", &["tcp.conn.open.local-address"]),
    // RFC 5961
    r("MAY-12", "Implement data injection protection", &["tcp.conn.rst.challenge-ack", "tcp.conn.syn.challenge-ack"]),
    // ECN
    r("SHLD-8", "Support ECN", &[
        "tcp.ecn.negotiated-both-ways",
        "tcp.ecn.not-negotiated-fallback",
        "tcp.ecn.receiver-echo-until-cwr",
        "tcp.ecn.sender-halves-once-per-window",
        "tcp.ecn.retransmissions-not-ect",
        "tcp.ecn.pure-acks-not-ect",
        "tcp.ecn.window-probes-not-ect",
        "tcp.ecn.kernel-client-negotiates",
        "tcp.ecn.kernel-echoes-ce",
        "tcp.ecn.kernel-we-echo-ce",
    ]),
    // Alternative congestion control
    r("MAY-18", "Implement alternative conformant algorithm(s)", &["tcp.cc.cubic-window-curve", "tcp.cc.cubic-multiplicative-decrease"]),
];
