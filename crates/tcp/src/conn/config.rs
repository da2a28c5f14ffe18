//! Per-connection settings with RFC-recommended defaults and builder-style setters.

use super::keepalive::KeepAlive;
use core::net::SocketAddr;
use handshake_time::Duration;

use super::ecn::EcnMode;
use crate::congestion::Algorithm;

/// Settings for a [`Connection`](super::Connection) or [`Listener`](super::Listener).
///
/// Every default is the value the RFCs recommend; each setter consumes and
/// returns the config so settings chain.
///
/// ```
/// use handshake_tcp::conn::Config;
/// use handshake_time::Duration;
/// // TIME-WAIT is 2 MSL = 240 s (RFC 9293 §3.4.2: MSL is 2 minutes) ...
/// assert_eq!(Config::default().time_wait_duration(), Duration::from_secs(240));
/// // ... and 60 s in the Linux profile.
/// assert_eq!(Config::linux().time_wait_duration(), Duration::from_secs(60));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `None`: derived per address family from an Ethernet MTU (see [`Config::mss`]).
    pub(crate) mss: Option<u16>,
    pub(crate) send_buffer: usize,
    pub(crate) recv_buffer: usize,
    pub(crate) window_scaling: bool,
    pub(crate) msl: Duration,
    pub(crate) initial_rto: Duration,
    pub(crate) min_rto: Duration,
    pub(crate) max_rto: Duration,
    pub(crate) max_retries: u32,
    pub(crate) max_syn_retries: u32,
    pub(crate) r1: u32,
    pub(crate) challenge_ack_limit: u32,
    pub(crate) congestion: Algorithm,
    pub(crate) initial_window: u32,
    pub(crate) sack: bool,
    pub(crate) timestamps: bool,
    pub(crate) nagle: bool,
    pub(crate) delayed_ack: Option<Duration>,
    pub(crate) stop_and_wait: bool,
    pub(crate) trace_capacity: usize,
    pub(crate) keep_alive: Option<KeepAlive>,
    pub(crate) rack: bool,
    pub(crate) tlp_ack_delay: Duration,
    pub(crate) recovery_probe: bool,
    pub(crate) frto: bool,
    pub(crate) nagle_classic: bool,
    pub(crate) ecn: EcnMode,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            // Derived from the remote's family: 1460 over IPv4, 1440 over IPv6.
            mss: None,
            send_buffer: 256 * 1024,
            recv_buffer: 256 * 1024,
            window_scaling: true,
            // RFC 9293 §3.4.2: MSL is 2 minutes; TIME-WAIT lasts 2 MSL =
            // 240 s (§3.6.1, MUST-13). Config::linux() has Linux's 60 s.
            msl: Duration::from_secs(120),
            // RFC 6298 §2.1: until a measurement is made, RTO SHOULD be 1 second.
            initial_rto: Duration::from_secs(1),
            // RFC 6298 §2.4: whenever RTO is computed below 1 second it SHOULD be rounded up.
            min_rto: Duration::from_secs(1),
            // RFC 6298 §2.5: a maximum value MAY be placed on RTO provided it is at least 60 s.
            max_rto: Duration::from_secs(60),
            // RFC 9293 §3.8.3: R2 for data at least 100 s; 15 backed-off retries as Linux.
            max_retries: 15,
            // RFC 9293 §3.8.3 (MUST-23): R2 for a SYN at least 3 minutes.
            // With the 60 s RTO cap, 7 retries wait 1+2+4+8+16+32+60+60 = 183 s
            // (Linux's 6 give up after 127 s).
            max_syn_retries: 7,
            // RFC 9293 §3.8.3 (SHLD-10): R1 at least 3 retransmissions.
            r1: 3,
            // RFC 5961 §7: an ACK throttling mechanism SHOULD be included;
            // 1000 per second per connection (Linux's historic limit).
            challenge_ack_limit: 1000,
            // RFC 9438 CUBIC, the default in Linux.
            congestion: Algorithm::Cubic,
            // RFC 6928: an initial window of 10 segments.
            initial_window: 10,
            // RFC 2018 SACK and RFC 7323 timestamps, offered as Linux does.
            sack: true,
            timestamps: true,
            // RFC 9293 §3.7.4: a TCP SHOULD implement the Nagle algorithm (SHLD-7).
            nagle: true,
            // RFC 9293 §3.8.6.3: delayed ACKs, the delay MUST be under 0.5 s;
            // 40 ms as Linux's minimum delayed-ACK timeout.
            delayed_ack: Some(Duration::from_millis(40)),
            stop_and_wait: false,
            trace_capacity: 0,
            // RFC 9293 §3.8.4 (MUST-25): keep-alives default to off.
            keep_alive: None,
            // RFC 8985 RACK-TLP with SACK, on as in Linux (net.ipv4.tcp_recovery=1).
            rack: true,
            // RFC 8985 §7.2: WCDelAckT, the worst-case delayed-ACK time, 200 ms.
            tlp_ack_delay: Duration::from_millis(200),
            // A probe also when fast recovery's ACKs stop (a deviation
            // from RFC 8985 §7.2's arming conditions; see `recovery_probe`).
            recovery_probe: true,
            // RFC 5682 F-RTO, on as in Linux (net.ipv4.tcp_frto=2).
            frto: true,
            // Minshall's variant of Nagle, as Linux: only one short segment
            // unacknowledged at a time, so a response's short tail does not
            // wait for a delayed ACK.
            nagle_classic: false,
            // RFC 3168 ECN accepted when the peer asks and not requested,
            // as Linux's default net.ipv4.tcp_ecn=2.
            ecn: EcnMode::Accept,
        }
    }
}

impl Config {
    /// The Linux profile: the defaults, with Linux's values where Linux
    /// departs from the RFCs' figures: TIME-WAIT 60 s (`TCP_TIMEWAIT_LEN`,
    /// MSL 30 s) instead of RFC 9293's 240 s, and a minimum RTO of 200 ms
    /// (`TCP_RTO_MIN`) instead of RFC 6298's 1 s.
    pub fn linux() -> Self {
        Config::default()
            .time_wait(Duration::from_secs(60))
            .min_rto(Duration::from_millis(200))
    }

    /// The maximum segment size we announce and send, over either address
    /// family. By default it is derived from an Ethernet MTU of 1500 less the
    /// fixed IP and TCP headers (RFC 9293 §3.7.1, RFC 6691 §2): 1460 over
    /// IPv4 (20 + 20 octets) and 1440 over IPv6 (its fixed header is 40
    /// octets, RFC 8200 §3).
    pub fn mss(mut self, mss: u16) -> Self {
        self.mss = Some(mss.max(1));
        self
    }

    /// The MSS we announce to, and the largest segment we send to, `remote`
    /// (see [`Config::mss`]).
    pub fn mss_for(&self, remote: SocketAddr) -> u16 {
        const ETHERNET_MTU: u16 = 1500;
        const TCP_HEADER: u16 = 20;
        self.mss.unwrap_or(match remote {
            SocketAddr::V4(_) => ETHERNET_MTU - 20 - TCP_HEADER,
            SocketAddr::V6(_) => ETHERNET_MTU - 40 - TCP_HEADER,
        })
    }

    /// Send buffer capacity in bytes (default 256 KiB).
    pub fn send_buffer(mut self, bytes: usize) -> Self {
        self.send_buffer = bytes.max(1);
        self
    }

    /// Receive buffer capacity in bytes (default 256 KiB); the receive window
    /// is its free space. Capped at 2^30 (RFC 7323 §2.3).
    pub fn recv_buffer(mut self, bytes: usize) -> Self {
        self.recv_buffer = bytes.clamp(1, 1 << 30);
        self
    }

    /// Offer the window scale option (RFC 7323); default on.
    pub fn window_scaling(mut self, on: bool) -> Self {
        self.window_scaling = on;
        self
    }

    /// Maximum segment lifetime; TIME-WAIT lasts twice this (default 2
    /// minutes, RFC 9293 §3.4.2).
    pub fn msl(mut self, msl: Duration) -> Self {
        self.msl = msl;
        self
    }

    /// Sets the TIME-WAIT duration (2*MSL) directly (default 240 s; `time_wait(60 s)` is Linux's).
    pub fn time_wait(mut self, d: Duration) -> Self {
        self.msl = d / 2;
        self
    }

    /// The TIME-WAIT duration, 2*MSL.
    pub fn time_wait_duration(&self) -> Duration {
        self.msl.saturating_mul(2)
    }

    /// The RTO before any RTT measurement (default 1 s, RFC 6298 §2.1).
    pub fn initial_rto(mut self, d: Duration) -> Self {
        self.initial_rto = d;
        self
    }

    /// Lower bound on the RTO (default 1 s, RFC 6298 §2.4).
    pub fn min_rto(mut self, d: Duration) -> Self {
        self.min_rto = d;
        self
    }

    /// Upper bound on the RTO, also for backoff (default 60 s, RFC 6298 §2.5).
    pub fn max_rto(mut self, d: Duration) -> Self {
        self.max_rto = d;
        self
    }

    /// Retransmissions of one data segment before giving up (default 15).
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// Retransmissions of a SYN or SYN-ACK before giving up (default 7:
    /// 183 s, past the 3 minutes RFC 9293 §3.8.3 requires, MUST-23).
    pub fn max_syn_retries(mut self, n: u32) -> Self {
        self.max_syn_retries = n;
        self
    }

    /// R1 (RFC 9293 §3.8.3): after this many retransmissions of one segment
    /// the application hears [`Event::Retransmitting`](super::Event::Retransmitting)
    /// (SHLD-9); default 3 (SHLD-10).
    pub fn r1(mut self, n: u32) -> Self {
        self.r1 = n;
        self
    }

    /// Challenge ACKs sent per second at most (RFC 5961 §7; default 1000).
    pub fn challenge_ack_limit(mut self, per_second: u32) -> Self {
        self.challenge_ack_limit = per_second;
        self
    }

    /// The congestion-control algorithm (default CUBIC, RFC 9438).
    pub fn congestion(mut self, algorithm: Algorithm) -> Self {
        self.congestion = algorithm;
        self
    }

    /// The initial congestion window in segments (default 10, RFC 6928).
    pub fn initial_window(mut self, segments: u32) -> Self {
        self.initial_window = segments.max(1);
        self
    }

    /// Offer SACK-permitted and use SACK for loss recovery (RFC 2018, RFC 6675); default on.
    pub fn sack(mut self, on: bool) -> Self {
        self.sack = on;
        self
    }

    /// Offer timestamps for RTTM and PAWS (RFC 7323); default on.
    pub fn timestamps(mut self, on: bool) -> Self {
        self.timestamps = on;
        self
    }

    /// RACK-TLP (RFC 8985) when SACK is negotiated: time-based loss
    /// detection and tail loss probes. Default on; off falls back to RFC
    /// 6675's DupThresh rules.
    pub fn rack(mut self, on: bool) -> Self {
        self.rack = on;
        self
    }

    /// WCDelAckT of RFC 8985 §7.2: added to the probe timeout when one
    /// segment is in flight, for the receiver's delayed ACK. Default 200 ms.
    pub fn tlp_ack_delay(mut self, d: Duration) -> Self {
        self.tlp_ack_delay = d;
        self
    }

    /// A tail loss probe (RFC 8985 §7.3) also during fast recovery, when
    /// no ACK arrives for a probe timeout (§7.2's 2*SRTT). Default on.
    ///
    /// This is a deliberate deviation: RFC 8985 §7.2 arms the PTO "unless
    /// [the sender] is already in fast recovery" (a SHOULD, as Linux's
    /// `tcp_schedule_loss_probe`). In recovery, RACK finds a lost
    /// retransmission only from the ACK of a segment sent after it
    /// (§6.2); when those ACKs are lost too (a receiver that acknowledges
    /// a burst with one ACK, on a lossy path) nothing but the
    /// retransmission timer is left, and a 200 ms-or-more RTO that
    /// collapses cwnd to one segment answers a silence of a few round
    /// trips. The probe is §7.3's: one segment, new data if the windows
    /// allow, else the highest sequence again, then the RTO is armed
    /// (§7.3's MUST); it adds one segment per silent episode, fewer than
    /// the timeout's go-back-N. Off: the RFC's conditions exactly.
    pub fn recovery_probe(mut self, on: bool) -> Self {
        self.recovery_probe = on;
        self
    }

    /// F-RTO (RFC 5682, the SACK-enhanced variant of §3.1): detect a
    /// spurious retransmission timeout and undo its congestion response.
    /// Default on.
    pub fn frto(mut self, on: bool) -> Self {
        self.frto = on;
        self
    }

    /// Classic Nagle (RFC 1122 §4.2.3.4: hold a short segment while any
    /// data is unacknowledged) instead of the default, Minshall's variant
    /// (hold it only while an earlier short segment is unacknowledged).
    pub fn classic_nagle(mut self, on: bool) -> Self {
        self.nagle_classic = on;
        self
    }

    /// Disable the Nagle algorithm (RFC 896) when `true`: small segments go
    /// out at once even with data unacknowledged (TCP_NODELAY).
    pub fn nodelay(mut self, on: bool) -> Self {
        self.nagle = !on;
        self
    }

    /// Delay ACKs of in-order data by at most `d` (capped below 500 ms, RFC
    /// 9293 §3.8.6.3), acknowledging at least every second segment; `None`
    /// acknowledges every segment at once. Default 40 ms.
    pub fn delayed_ack(mut self, d: Option<Duration>) -> Self {
        self.delayed_ack = d.map(|d| d.min(Duration::from_millis(499)));
        self
    }

    /// Stop-and-wait flow control: at most one segment in flight, the next
    /// sent only when it is acknowledged. Default off (a sliding window).
    pub fn stop_and_wait(mut self, on: bool) -> Self {
        self.stop_and_wait = on;
        self
    }

    /// Keep a trace of the last `events` segments and cwnd changes (see
    /// [`Connection::drain_trace`](super::Connection::drain_trace)); 0, the default, keeps none.
    pub fn trace(mut self, events: usize) -> Self {
        self.trace_capacity = events;
        self
    }

    /// Keep-alive probes of an idle peer (RFC 9293 §3.8.4); `None`, the
    /// default, sends none (MUST-25). See [`KeepAlive`].
    pub fn keep_alive(mut self, keep_alive: Option<KeepAlive>) -> Self {
        self.keep_alive = keep_alive;
        self
    }

    /// Explicit Congestion Notification (RFC 3168): off, accepted when the
    /// peer's SYN asks (the default, as Linux's `tcp_ecn=2`), or requested
    /// in our SYN too (`tcp_ecn=1`). See [`EcnMode`].
    pub fn ecn(mut self, mode: EcnMode) -> Self {
        self.ecn = mode;
        self
    }

    /// The window scale shift we offer: the smallest shift that lets the
    /// 16-bit window field describe the whole receive buffer (at most 14).
    pub(crate) fn our_window_shift(&self) -> u8 {
        let mut shift = 0u8;
        while shift < 14 && (self.recv_buffer >> shift) > 0xffff {
            shift += 1;
        }
        shift
    }
}
