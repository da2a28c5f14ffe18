//! ICMP errors about our segments (RFC 9293 §3.9.2.2), checked against the
//! send window first (RFC 5927 §4.1), so a blind attacker who does not
//! know the sequence numbers cannot reset, stall or shrink a connection.

use handshake_time::Instant;

use super::{Connection, Event, State};
use crate::wire::SeqNumber;

/// What an ICMP (or ICMPv6) error says about a segment we sent; the caller's
/// IP layer reads the message and the quoted header, and hands this with
/// the quoted segment's sequence number to [`Connection::handle_icmp`] (or
/// [`crate::endpoint::Endpoint::handle_icmp`], which finds the connection).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IcmpError {
    /// Destination Unreachable (ICMPv4 type 3, ICMPv6 type 1) with this
    /// code, except ICMPv4 code 4 (which is [`IcmpError::PacketTooBig`]).
    Unreachable {
        /// ICMPv4 code: 0 net, 1 host, 2 protocol, 3 port, 5 source route
        /// failed, 6-15 as RFC 1122 §3.2.2.1 lists them.
        code: u8,
    },
    /// ICMPv4 Destination Unreachable code 4, "fragmentation needed and DF
    /// set" (RFC 1191 §4), or ICMPv6 Packet Too Big (RFC 8201): the path
    /// takes datagrams of at most `mtu` octets.
    PacketTooBig {
        /// The next-hop MTU the router reported (0: not reported).
        mtu: u16,
    },
    /// Time Exceeded (ICMPv4 type 11).
    TimeExceeded,
    /// Parameter Problem (ICMPv4 type 12).
    ParameterProblem,
    /// Source Quench (ICMPv4 type 4), deprecated by RFC 6633.
    SourceQuench,
}

impl IcmpError {
    /// A hard error: Destination Unreachable codes 2-4 (RFC 9293 §3.9.2.2,
    /// SHLD-26), the peer's host or port is not there; code 4 is path MTU
    /// discovery's and handled on its own.
    fn is_hard(self) -> bool {
        matches!(self, IcmpError::Unreachable { code: 2 | 3 })
    }
}

/// What [`Connection::handle_icmp`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum IcmpAction {
    /// Ignored: the quoted sequence number is outside SND.UNA..SND.NXT
    /// (RFC 5927 §4.1), or the connection is not sending.
    OutOfWindow,
    /// Source Quench, silently discarded (RFC 9293 §3.9.2.2, MUST-55;
    /// RFC 6633 §1).
    Discarded,
    /// A soft error: recorded for the application and reported as
    /// [`Event::SoftError`] (SHLD-25); the connection goes on (MUST-56).
    Soft,
    /// A hard error: the connection is aborted (SHLD-26), [`Event::Unreachable`].
    Aborted,
    /// The send MSS was lowered to fit this path MTU (RFC 1191 §6.4).
    MssReduced {
        /// The new send MSS.
        mss: usize,
    },
    /// A Packet Too Big that would not lower the MSS (at or above the
    /// current size, or a PMTU below 68 for IPv4, RFC 1191 §3, or below
    /// 1280 for IPv6, RFC 8201 §4).
    Unchanged,
}

/// IPv4 and TCP headers without options (RFC 1191 §6.3: MSS = PMTU - 40).
const HEADERS: usize = 40;
/// IPv6 and TCP headers without options (RFC 8201 §5.4: the packetization
/// layer subtracts the IPv6 header's 40 octets too).
const HEADERS_V6: usize = 60;
/// The smallest MTU an IPv4 link may have (RFC 791; RFC 1191 §3): a
/// report below it is bogus.
const MIN_MTU: u16 = 68;
/// The IPv6 minimum link MTU (RFC 8200 §5).
const MIN_MTU_V6: u16 = 1280;

impl Connection {
    /// An ICMP error about the segment that began at `seq` (the sequence
    /// number in the quoted TCP header), at `now`.
    ///
    /// ```
    /// use handshake_tcp::conn::{Config, Connection, IcmpAction, IcmpError};
    /// use handshake_time::Instant;
    /// let now = Instant::ZERO;
    /// let mut c = Connection::connect(Config::default(), "192.0.2.2:40000".parse().unwrap(),
    ///     "192.0.2.1:80".parse().unwrap(), now, handshake_tcp::wire::SeqNumber(1000));
    /// let syn = c.poll_transmit(now).unwrap();
    /// // A blind guess of the sequence number is ignored (RFC 5927 §4.1).
    /// let guess = handshake_tcp::wire::SeqNumber(12345);
    /// assert_eq!(c.handle_icmp(now, guess, IcmpError::Unreachable { code: 3 }), IcmpAction::OutOfWindow);
    /// // The SYN's own number: port unreachable aborts (RFC 9293 §3.9.2.2).
    /// let seq = syn.header.seq_number;
    /// assert_eq!(c.handle_icmp(now, seq, IcmpError::Unreachable { code: 3 }), IcmpAction::Aborted);
    /// ```
    pub fn handle_icmp(&mut self, now: Instant, seq: SeqNumber, err: IcmpError) -> IcmpAction {
        let _ = now;
        // RFC 9293 §3.9.2.2 (MUST-55): Source Quench is silently discarded.
        if err == IcmpError::SourceQuench {
            self.icmp.discarded += 1;
            return IcmpAction::Discarded;
        }
        // RFC 5927 §4.1: act only on an error whose quoted segment is one we
        // have sent and not yet seen acknowledged: SND.UNA <= seq < SND.NXT.
        let sending = !matches!(self.state, State::Closed | State::Listen | State::TimeWait);
        let in_window = seq.distance_from(self.snd_una) >= 0 && self.snd_max.distance_from(seq) > 0;
        if !sending || !in_window {
            self.icmp.out_of_window += 1;
            return IcmpAction::OutOfWindow;
        }
        if let IcmpError::PacketTooBig { mtu } = err {
            return self.path_mtu(seq, mtu);
        }
        if err.is_hard() {
            // RFC 9293 §3.9.2.2 (SHLD-26): Destination Unreachable codes
            // 2-4 abort the connection.
            self.icmp.hard += 1;
            self.enter_closed();
            self.events.push_back(Event::Unreachable);
            return IcmpAction::Aborted;
        }
        // RFC 9293 §3.9.2.2: codes 0, 1, 5, Time Exceeded and Parameter
        // Problem MUST NOT abort (MUST-56); the application is told (SHLD-25).
        self.icmp.soft += 1;
        self.icmp.last_soft = Some(err);
        self.events.push_back(Event::SoftError);
        IcmpAction::Soft
    }

    /// RFC 1191 §6.4: the largest segment that fits the reported path MTU;
    /// what the router dropped is sent again at once (not a congestion
    /// signal, so cwnd and ssthresh stay).
    fn path_mtu(&mut self, seq: SeqNumber, mtu: u16) -> IcmpAction {
        let (min_mtu, headers) = if self.remote.is_ipv6() {
            // RFC 8201 §4: a Packet Too Big below the IPv6 minimum link
            // MTU is discarded; the estimate never goes below 1280.
            (MIN_MTU_V6, HEADERS_V6)
        } else {
            (MIN_MTU, HEADERS)
        };
        if mtu < min_mtu {
            return IcmpAction::Unchanged;
        }
        let options = if self.ts_ok {
            super::input::TS_OPTION_LEN
        } else {
            0
        };
        // The floor is the one a peer's MSS option meets (CVE-2019-11479).
        let mss =
            (usize::from(mtu).saturating_sub(headers + options)).max(super::input::MIN_SND_MSS);
        if mss >= self.snd_mss {
            return IcmpAction::Unchanged;
        }
        self.snd_mss = mss;
        self.icmp.mss_reductions += 1;
        // The router dropped the segment at SND.UNA, and every later one
        // as large: send again from SND.UNA in segments of the new size
        // (go back, as Linux's tcp_simple_retransmit does), with no
        // congestion response; Karn's rule (RFC 6298 §3) for the RTT.
        if seq == self.snd_una && self.snd_nxt.distance_from(self.snd_una) > 0 {
            self.snd_nxt = self.snd_una;
            self.rtt_sample = None;
        }
        IcmpAction::MssReduced { mss }
    }

    /// The last soft ICMP error (RFC 9293 §3.9.2.2, SHLD-25), for an
    /// application that wants to know why a connection is slow or stalled.
    pub fn soft_error(&self) -> Option<IcmpError> {
        self.icmp.last_soft
    }
}

/// ICMP counters of a connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct IcmpCounts {
    pub(super) discarded: u64,
    pub(super) out_of_window: u64,
    pub(super) soft: u64,
    pub(super) hard: u64,
    pub(super) mss_reductions: u64,
    pub(super) last_soft: Option<IcmpError>,
}
