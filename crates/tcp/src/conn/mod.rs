//! The connection state machine (RFC 9293 §3.3.2, §3.10), sans-IO.
//!
//! A [`Connection`] is one TCP connection's state: the caller feeds it
//! segments ([`Connection::handle_segment`]) and the time
//! ([`Connection::handle_timeout`]), and drains what it wants to send
//! ([`Connection::poll_transmit`]), when it next wants to be woken
//! ([`Connection::poll_timeout`]) and what the application should hear
//! ([`Connection::poll_event`]). It reads no clock and draws no randomness:
//! initial sequence numbers come from an [`IsnGenerator`] keyed by the caller.
//! A [`Listener`] turns SYNs into connections with a bounded backlog of
//! half-open ones.
//!
//! Implemented: all eleven states, active/passive/simultaneous open and
//! close, half-close, TIME-WAIT (RFC 1337), the segment acceptability test,
//! RFC 5961 challenge ACKs, the sliding window with MSS and window scale
//! negotiation, out-of-order reassembly, RFC 6298 retransmission, congestion
//! control ([`crate::congestion`]: Reno, NewReno, CUBIC) with fast
//! retransmit and recovery, SACK (RFC 2018) and SACK-based loss recovery
//! (RFC 6675), RACK-TLP (RFC 8985), D-SACK (RFC 2883), Proportional Rate
//! Reduction (RFC 6937), F-RTO (RFC 5682), timestamps with RTTM and PAWS
//! (RFC 7323), ECN (RFC 3168), Nagle, delayed
//! ACKs, silly window syndrome avoidance on both sides, the persist timer,
//! a stop-and-wait mode and an optional event trace.

mod config;
mod cookie;
mod ecn;
mod frto;
mod icmp;
mod input;
mod isn;
mod keepalive;
mod listener;
mod output;
#[cfg(any(test, feature = "testing"))]
pub mod pair;
mod prr;
mod rack;
mod reassembly;
mod recovery;
mod rtt;
mod scoreboard;
mod stats;
mod trace;

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::net::SocketAddr;

use handshake_time::Instant;

use crate::congestion::Controller;
use crate::wire::{SegmentRepr, SeqNumber};

pub use config::Config;
pub use ecn::EcnMode;

/// The sequence variables of RFC 9293 §3.3.1 at one moment
/// ([`Connection::sequence_vars`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SequenceVars {
    /// SND.UNA: the oldest unacknowledged sequence number.
    pub snd_una: SeqNumber,
    /// SND.NXT: the next sequence number to send.
    pub snd_nxt: SeqNumber,
    /// SND.WND: the peer's window, in bytes (scaled).
    pub snd_wnd: u32,
    /// RCV.NXT: the next sequence number expected.
    pub rcv_nxt: SeqNumber,
    /// RCV.WND: the window last advertised, from RCV.NXT, in bytes.
    pub rcv_wnd: u32,
}
pub use icmp::{IcmpAction, IcmpError};
pub use input::rst_reply;
pub use isn::IsnGenerator;
pub use keepalive::KeepAlive;
pub use listener::Listener;
pub use stats::Stats;
pub use trace::{CwndCause, SegmentSummary, TraceEvent};

use frto::Frto;
use prr::Prr;
use rack::Rack;
use reassembly::Reassembly;
use rtt::RttEstimator;
use scoreboard::Scoreboard;

/// The eleven connection states of RFC 9293 §3.3.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// No connection.
    Closed,
    /// Waiting for a SYN (a [`Listener`]).
    Listen,
    /// SYN sent, waiting for the peer's SYN.
    SynSent,
    /// SYN received and answered, waiting for its acknowledgment.
    SynReceived,
    /// Open: data flows both ways.
    Established,
    /// We closed; our FIN is not yet acknowledged.
    FinWait1,
    /// We closed and our FIN is acknowledged; the peer may still send.
    FinWait2,
    /// The peer closed; we may still send.
    CloseWait,
    /// Both closed at once; waiting for our FIN's acknowledgment.
    Closing,
    /// The peer closed, then we did; waiting for our FIN's acknowledgment.
    LastAck,
    /// Both closed; waiting 2*MSL so stray segments die (RFC 9293 §3.6.1).
    TimeWait,
}

impl State {
    /// True in the states after the SYN exchange (RFC 9293 §3.10.7.4).
    pub fn is_synchronized(self) -> bool {
        !matches!(
            self,
            State::Closed | State::Listen | State::SynSent | State::SynReceived
        )
    }
}

/// What the application learns from a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Event {
    /// The handshake completed.
    Connected,
    /// The peer sent FIN: no more data will arrive after what is buffered.
    PeerClosed,
    /// The peer reset the connection (or refused it).
    Reset,
    /// Retransmissions ran out (RFC 9293 §3.8.3 R2); the connection is closed.
    TimedOut,
    /// One segment has been retransmitted R1 times ([`Config::r1`]): the
    /// path may be failing (RFC 9293 §3.8.3, SHLD-9). The connection goes on.
    Retransmitting,
    /// The connection reached CLOSED after an orderly close.
    Closed,
    /// The peer sent urgent data (RFC 9293 §3.8.5, MUST-32): see
    /// [`Connection::urgent_pending`] for how much lies ahead of the reader.
    Urgent,
    /// An ICMP hard error (Destination Unreachable, protocol or port) about
    /// a segment in flight: the connection is closed (RFC 9293 §3.9.2.2).
    Unreachable,
    /// An ICMP soft error about a segment in flight; the connection goes
    /// on (RFC 9293 §3.9.2.2): see [`Connection::soft_error`].
    SoftError,
}

/// A segment to send, owning its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// Header fields and options; its `payload` is empty, see [`Transmit::payload`].
    pub header: SegmentRepr<'static>,
    /// The data.
    pub payload: Vec<u8>,
    /// The ECN codepoint for the IP header (RFC 3168 §5): ECT(0) on new
    /// data once ECN is negotiated, Not-ECT on everything else (§6.1.1,
    /// §6.1.4, §6.1.5, §6.1.6).
    pub ecn: crate::wire::Ecn,
}

impl Transmit {
    /// A segment sent as Not-ECT.
    pub fn new(header: SegmentRepr<'static>, payload: Vec<u8>) -> Self {
        Transmit {
            header,
            payload,
            ecn: crate::wire::Ecn::NotEct,
        }
    }

    /// The segment as a [`SegmentRepr`], ready to `emit`.
    pub fn repr(&self) -> SegmentRepr<'_> {
        SegmentRepr {
            payload: &self.payload,
            ..self.header
        }
    }

    /// The sequence space it occupies: data plus SYN and FIN.
    pub fn segment_len(&self) -> usize {
        self.repr().segment_len()
    }

    /// The segment as bytes, checksum filled over the pseudo-header `ph`.
    pub fn to_bytes(
        &self,
        ph: &handshake_ip::checksum::PseudoHeader,
    ) -> Result<Vec<u8>, crate::Error> {
        self.repr().to_vec(ph)
    }

    /// The segment as a [`TransmitRef`] lending this one's data.
    pub fn as_transmit_ref(&self) -> TransmitRef<'_> {
        TransmitRef {
            header: self.header,
            payload: [&self.payload, &[]],
            ecn: self.ecn,
        }
    }
}

/// A segment to send whose data is lent, not copied: from the connection's
/// send buffer ([`Connection::poll_segment`]) until the connection is used
/// again. [`TransmitRef::emit`] writes header, options and data straight
/// into the caller's packet with the checksum filled, as a driver writes
/// into its device's transmit buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransmitRef<'a> {
    /// Header fields and options; its `payload` is empty, see [`TransmitRef::payload`].
    pub header: SegmentRepr<'static>,
    /// The data, in two parts because the send buffer is a ring: the first
    /// part, then the second (often empty).
    pub payload: [&'a [u8]; 2],
    /// The ECN codepoint for the IP header, as [`Transmit::ecn`].
    pub ecn: crate::wire::Ecn,
}

impl TransmitRef<'_> {
    /// Octets of data.
    pub fn payload_len(&self) -> usize {
        self.payload[0].len() + self.payload[1].len()
    }

    /// The sequence space it occupies: data plus SYN and FIN.
    pub fn segment_len(&self) -> usize {
        self.header.segment_len() + self.payload_len()
    }

    /// Header, options and data: what [`TransmitRef::emit`] writes.
    pub fn buffer_len(&self) -> usize {
        self.header.header_len() + self.payload_len()
    }

    /// Writes the segment into the start of `buf` with its checksum over
    /// `ph` (RFC 9293 §3.1, MUST-2); returns its length
    /// ([`SegmentRepr::emit_parts`]).
    pub fn emit(
        &self,
        buf: &mut [u8],
        ph: &handshake_ip::checksum::PseudoHeader,
    ) -> Result<usize, crate::Error> {
        self.header.emit_parts(buf, ph, &self.payload)
    }

    /// The segment with a copy of its data.
    pub fn to_transmit(&self) -> Transmit {
        let mut payload = Vec::with_capacity(self.payload_len());
        payload.extend_from_slice(self.payload[0]);
        payload.extend_from_slice(self.payload[1]);
        Transmit {
            header: self.header,
            payload,
            ecn: self.ecn,
        }
    }
}

/// Where a segment's data lies until it is lent out ([`Connection::lend`]).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Data {
    /// Octets not from the send buffer: none, or a keep-alive's garbage octet.
    Fixed(&'static [u8]),
    /// `len` octets of the send buffer from `offset`.
    SendBuf { offset: usize, len: usize },
}

/// A segment decided on, its data not yet lent: the state machine is done
/// with it, so the caller may let go of its `&mut` before borrowing the data.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pending {
    pub(crate) header: SegmentRepr<'static>,
    pub(crate) data: Data,
    pub(crate) ecn: crate::wire::Ecn,
}

impl Pending {
    /// A Not-ECT segment.
    pub(crate) fn new(header: SegmentRepr<'static>, data: Data) -> Self {
        Pending {
            header,
            data,
            ecn: crate::wire::Ecn::NotEct,
        }
    }

    pub(crate) fn data_len(&self) -> usize {
        match self.data {
            Data::Fixed(d) => d.len(),
            Data::SendBuf { len, .. } => len,
        }
    }
}

/// One TCP connection, sans-IO.
///
/// ```
/// use handshake_tcp::conn::{Config, Connection, Event, State};
/// use handshake_tcp::wire::SeqNumber;
/// use handshake_time::Instant;
/// let (a, b) = ("192.0.2.1:4000".parse().unwrap(), "192.0.2.2:80".parse().unwrap());
/// let now = Instant::ZERO;
/// let mut client = Connection::connect(Config::default(), a, b, now, SeqNumber(100));
/// let syn = client.poll_transmit(now).unwrap();
/// assert!(syn.header.flags.contains(handshake_tcp::wire::TcpFlags::SYN));
/// assert_eq!(client.state(), State::SynSent);
/// // The SYN is retransmitted after the initial RTO of 1 s (RFC 6298 §2.1).
/// assert_eq!(client.poll_timeout(), Some(now + handshake_time::Duration::from_secs(1)));
/// ```
#[derive(Debug, Clone)]
pub struct Connection {
    config: Config,
    local: SocketAddr,
    remote: SocketAddr,
    state: State,

    // Send sequence space (RFC 9293 §3.3.1).
    iss: SeqNumber,
    snd_una: SeqNumber,
    snd_nxt: SeqNumber,
    /// The highest SND.NXT so far (SND.NXT goes back on a retransmission timeout).
    snd_max: SeqNumber,
    snd_wnd: u32,
    max_snd_wnd: u32,
    snd_wl1: SeqNumber,
    snd_wl2: SeqNumber,
    /// Shift applied to the peer's window field (RFC 7323 §2.3).
    snd_wscale: u8,
    /// Effective send MSS.
    snd_mss: usize,
    cc: Controller,
    /// Duplicate ACKs in a row (RFC 5681 §2).
    dupacks: u32,
    /// In fast recovery: RFC 6582 "recover" / RFC 6675 RecoveryPoint is `recover`.
    in_recovery: bool,
    recover: SeqNumber,
    /// The segment at SND.UNA goes out again at once (fast retransmit, RFC 6582 partial ACK).
    fast_rtx: bool,
    /// RFC 6675 HighRxt: the highest octet retransmitted in this recovery.
    high_rxt: SeqNumber,
    /// SACK negotiated (RFC 2018 §2).
    sack_ok: bool,
    scoreboard: Scoreboard,
    /// RACK-TLP (RFC 8985).
    rack: Rack,
    /// Proportional Rate Reduction (RFC 6937).
    prr: Prr,
    /// F-RTO (RFC 5682).
    frto: Frto,
    /// A duplicate segment to report in the next ACK's first SACK block (RFC 2883 §4).
    dsack: Option<(SeqNumber, SeqNumber)>,
    /// D-SACKs the peer sent us (RFC 2883).
    dsacks: u64,
    /// ICMP errors seen (RFC 9293 §3.9.2.2).
    icmp: icmp::IcmpCounts,
    /// Explicit Congestion Notification (RFC 3168).
    ecn: ecn::EcnState,
    /// Starts of the latest out-of-order arrivals, newest first: the first
    /// SACK block reports the newest (RFC 2018 §4).
    sack_recent: [Option<SeqNumber>; 3],
    /// Timestamps negotiated (RFC 7323 §3.2).
    ts_ok: bool,
    /// Added to our millisecond clock for TSval (RFC 7323 §5.4: per-connection offset).
    ts_offset: u32,
    /// TS.Recent and when it was set (RFC 7323 §4.3, §5.5).
    ts_recent: u32,
    ts_recent_at: Instant,
    /// The ACK field we last sent (RFC 7323 §4.3: Last.ACK.sent).
    last_ack_sent: SeqNumber,
    /// Unacknowledged and unsent data; its first byte has sequence number `buf_seq`.
    send_buf: VecDeque<u8>,
    buf_seq: SeqNumber,
    /// The end of the last short segment sent (Minshall's Nagle variant).
    short_end: Option<SeqNumber>,
    /// `close()` was called: a FIN follows the queued data.
    fin_queued: bool,
    /// SND.UP: the sequence number just past our urgent data, while any is unacknowledged.
    snd_up: Option<SeqNumber>,
    /// RCV.UP: the peer's urgent pointer, while urgent data is unread.
    rcv_up: Option<SeqNumber>,

    // Receive sequence space.
    irs: SeqNumber,
    rcv_nxt: SeqNumber,
    /// Shift applied to our window field (RFC 7323 §2.3).
    rcv_wscale: u8,
    /// The window right edge we last advertised (never moved left, RFC 9293 §3.8.6).
    rcv_adv: SeqNumber,
    recv_buf: VecDeque<u8>,
    ooo: Reassembly,
    /// A FIN that arrived beyond a gap: its sequence number.
    ooo_fin: Option<SeqNumber>,
    peer_fin: bool,
    /// Whether the peer's SYN carried a window scale option (and its shift).
    peer_wscale: Option<u8>,

    // Output.
    ack_pending: bool,
    /// In-order segments received since we last sent an ACK (RFC 9293 §3.8.6.3).
    unacked_segments: u32,
    delack_deadline: Option<Instant>,
    challenge_pending: bool,
    rst_pending: bool,
    /// RST replies to unacceptable segments (RFC 9293 §3.10.7.3): headers
    /// of segments without data, sent Not-ECT.
    replies: VecDeque<SegmentRepr<'static>>,

    // Timers.
    rtt: RttEstimator,
    rtt_sample: Option<(SeqNumber, Instant)>,
    rtx_deadline: Option<Instant>,
    retries: u32,
    syn_retransmitted: bool,
    /// Send one byte beyond a zero window when the retransmission timer fires.
    probe: bool,
    time_wait_deadline: Option<Instant>,
    /// When an acceptable segment last arrived (the keep-alive idle clock).
    last_heard: Instant,
    /// Keep-alive probes sent since the peer was last heard from.
    keepalive_probes: u32,
    /// Send a keep-alive probe.
    keepalive_pending: bool,

    events: VecDeque<Event>,
    trace: VecDeque<TraceEvent>,
    retransmits: u64,
    fast_retransmits: u64,
    timeouts: u64,
    segments_sent: u64,
    segments_received: u64,
    challenge_acks: u64,
    challenge_window_start: Instant,
    challenge_window_count: u32,
    /// When we last answered an unacceptable bare ACK (see `ack_unacceptable`).
    last_invalid_ack: Option<Instant>,
}

/// At most this many RST replies wait for `poll_transmit`.
const MAX_REPLIES: usize = 16;

/// RFC 9293 §3.7.1: without an MSS option the send MSS is 536 (IPv4) or 1220 (IPv6).
fn default_mss(remote: SocketAddr) -> u16 {
    match remote {
        SocketAddr::V4(_) => 536,
        SocketAddr::V6(_) => 1220,
    }
}

impl Connection {
    fn new(config: Config, local: SocketAddr, remote: SocketAddr, iss: SeqNumber) -> Self {
        let rtt = RttEstimator::new(&config);
        let snd_mss = usize::from(config.mss_for(remote).min(default_mss(remote)));
        Connection {
            local,
            remote,
            state: State::Closed,
            iss,
            snd_una: iss,
            snd_nxt: iss,
            snd_max: iss,
            snd_wnd: 0,
            max_snd_wnd: 0,
            snd_wl1: SeqNumber(0),
            snd_wl2: iss,
            snd_wscale: 0,
            snd_mss,
            cc: Controller::new(config.congestion, snd_mss as u32, config.initial_window),
            dupacks: 0,
            in_recovery: false,
            recover: iss,
            fast_rtx: false,
            high_rxt: iss,
            sack_ok: false,
            scoreboard: Scoreboard::default(),
            rack: Rack::new(),
            prr: Prr::default(),
            frto: Frto::new(),
            dsack: None,
            dsacks: 0,
            icmp: icmp::IcmpCounts::default(),
            ecn: ecn::EcnState::default(),
            sack_recent: [None; 3],
            ts_ok: false,
            // RFC 7323 §5.4: a secret offset comes from the caller's key
            // (IsnGenerator::ts_offset, set by Listener and connect_keyed);
            // none without one: an offset computed from the ISN would give
            // the clock away to whoever knows the computation.
            ts_offset: 0,
            ts_recent: 0,
            ts_recent_at: Instant::ZERO,
            last_heard: Instant::ZERO,
            keepalive_probes: 0,
            keepalive_pending: false,
            last_ack_sent: SeqNumber(0),
            send_buf: VecDeque::new(),
            buf_seq: iss + 1,
            short_end: None,
            fin_queued: false,
            snd_up: None,
            rcv_up: None,
            irs: SeqNumber(0),
            rcv_nxt: SeqNumber(0),
            rcv_wscale: 0,
            rcv_adv: SeqNumber(0),
            recv_buf: VecDeque::new(),
            ooo: Reassembly::default(),
            ooo_fin: None,
            peer_fin: false,
            peer_wscale: None,
            ack_pending: false,
            unacked_segments: 0,
            delack_deadline: None,
            challenge_pending: false,
            rst_pending: false,
            replies: VecDeque::new(),
            rtt,
            rtt_sample: None,
            rtx_deadline: None,
            retries: 0,
            syn_retransmitted: false,
            probe: false,
            time_wait_deadline: None,
            events: VecDeque::new(),
            trace: VecDeque::new(),
            retransmits: 0,
            fast_retransmits: 0,
            timeouts: 0,
            segments_sent: 0,
            segments_received: 0,
            challenge_acks: 0,
            challenge_window_start: Instant::ZERO,
            challenge_window_count: 0,
            last_invalid_ack: None,
            config,
        }
    }

    /// An active open (RFC 9293 §3.10.1): the connection enters SYN-SENT and
    /// its SYN comes out of the next [`Connection::poll_transmit`]. `isn` is
    /// the initial send sequence number; take it from [`IsnGenerator::isn`].
    /// The TSval offset is 0 until [`Connection::set_ts_offset`]: a host
    /// uses [`Connection::connect_keyed`], which sets both from its key.
    pub fn connect(
        config: Config,
        local: SocketAddr,
        remote: SocketAddr,
        now: Instant,
        isn: SeqNumber,
    ) -> Self {
        let _ = now;
        let mut c = Connection::new(config, local, remote, isn);
        c.state = State::SynSent;
        c
    }

    /// [`Connection::connect`] with the ISN (RFC 6528) and the TSval
    /// offset (RFC 7323 §5.4) from the caller's keyed generator: what a
    /// host should use.
    pub fn connect_keyed(
        config: Config,
        local: SocketAddr,
        remote: SocketAddr,
        now: Instant,
        keys: &IsnGenerator,
    ) -> Self {
        let ts = config.timestamps;
        let mut c = Connection::connect(config, local, remote, now, keys.isn(now, local, remote));
        // Without timestamps in our SYN no TSval is ever sent (RFC 7323
        // §3.2): the offset's hash would be wasted.
        if ts {
            c.ts_offset = keys.ts_offset(local.ip(), remote.ip());
        }
        c
    }

    /// Sets the offset added to our millisecond clock in TSval (RFC 7323
    /// §5.4), before the SYN goes out; take it from
    /// [`IsnGenerator::ts_offset`]. [`Connection::connect`] leaves it 0.
    pub fn set_ts_offset(&mut self, offset: u32) {
        self.ts_offset = offset;
    }

    /// [`Connection::connect`] after checking that both ends are addresses
    /// a connection can have: not unspecified, broadcast or multicast, and
    /// no port 0 (RFC 9293 §3.9.1.1: an OPEN to an invalid address MUST be
    /// rejected, MUST-46).
    pub fn try_connect(
        config: Config,
        local: SocketAddr,
        remote: SocketAddr,
        now: Instant,
        isn: SeqNumber,
    ) -> Result<Self, crate::Error> {
        for addr in [local, remote] {
            if !is_unicast(addr) {
                return Err(crate::Error::InvalidAddress { addr });
            }
        }
        Ok(Connection::connect(config, local, remote, now, isn))
    }

    /// The state (RFC 9293 §3.3.2).
    pub fn state(&self) -> State {
        self.state
    }

    /// Our address and port.
    pub fn local(&self) -> SocketAddr {
        self.local
    }

    /// The peer's address and port.
    pub fn remote(&self) -> SocketAddr {
        self.remote
    }

    /// The effective send MSS after negotiation (RFC 9293 §3.7.1).
    pub fn mss(&self) -> usize {
        self.snd_mss
    }

    /// The send and receive sequence variables (RFC 9293 §3.3.1), as
    /// `ss -i` shows the kernel's: for diagnostics and for tests that aim
    /// segments at the live windows.
    pub fn sequence_vars(&self) -> SequenceVars {
        SequenceVars {
            snd_una: self.snd_una,
            snd_nxt: self.snd_nxt,
            snd_wnd: self.snd_wnd,
            rcv_nxt: self.rcv_nxt,
            rcv_wnd: u32::try_from(self.rcv_adv.distance_from(self.rcv_nxt)).unwrap_or(0),
        }
    }

    /// The window scale shifts (ours, the peer's) after negotiation; both 0
    /// unless both SYNs carried the option (RFC 7323 §1.3).
    pub fn window_scales(&self) -> (u8, u8) {
        (self.rcv_wscale, self.snd_wscale)
    }

    /// The next application event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Queues data to send; returns how many bytes fit in the send buffer.
    /// Nothing is accepted once `close()` was called or the peer reset.
    pub fn send(&mut self, data: &[u8]) -> usize {
        let open = matches!(
            self.state,
            State::SynSent | State::SynReceived | State::Established | State::CloseWait
        );
        if !open || self.fin_queued {
            return 0;
        }
        let n = data
            .len()
            .min(self.config.send_buffer.saturating_sub(self.send_buf.len()));
        self.send_buf.extend(&data[..n]);
        n
    }

    /// Queues urgent data (RFC 9293 §3.8.5, MUST-30, MUST-31): like
    /// [`Connection::send`], and the urgent pointer moves to just past it, so
    /// segments carry URG until the peer acknowledges it. Returns how many
    /// bytes fit; any length works.
    pub fn send_urgent(&mut self, data: &[u8]) -> usize {
        let n = self.send(data);
        if n > 0 {
            self.snd_up = Some(self.buf_seq + self.send_buf.len() as u32);
        }
        n
    }

    /// How many received bytes, from the next one `recv` returns, lie before
    /// the peer's urgent pointer (RFC 9293 §3.8.5, MUST-33); 0 when none.
    pub fn urgent_pending(&self) -> usize {
        let unread = self.rcv_nxt - self.recv_buf.len() as u32;
        self.rcv_up
            .map_or(0, |up| up.distance_from(unread).max(0) as usize)
    }

    /// Free space in the send buffer.
    pub fn send_capacity(&self) -> usize {
        self.config.send_buffer.saturating_sub(self.send_buf.len())
    }

    /// Bytes queued and not yet acknowledged.
    pub fn send_queue(&self) -> usize {
        self.send_buf.len()
    }

    /// Reads received in-order data into `buf`; returns the byte count.
    pub fn recv(&mut self, buf: &mut [u8]) -> usize {
        let n = buf.len().min(self.recv_buf.len());
        if n == 0 {
            // Nothing to read (the common answer to a poll): no copies.
            return 0;
        }
        // Two memcpys from the ring's halves, not a byte-at-a-time drain.
        let (a, b) = self.recv_buf.as_slices();
        let k = n.min(a.len());
        buf[..k].copy_from_slice(&a[..k]);
        buf[k..n].copy_from_slice(&b[..n - k]);
        self.recv_buf.drain(..n);
        // A window update when the window opened by at least one MSS or half the
        // buffer beyond what we advertised (the peer may be waiting on it).
        if n > 0 && self.state.is_synchronized() && !self.peer_fin {
            // The edge as it can be advertised: the window field is 16 bits
            // scaled by our shift (RFC 7323 §2.2), so space beyond that
            // opens nothing the peer can see, and an update would only
            // repeat the window it already has.
            let max = 0xffff_usize << self.rcv_wscale;
            let right = self.rcv_nxt + self.rcv_wnd().min(max) as u32;
            let grown = right.distance_from(self.rcv_adv).max(0) as usize;
            if grown >= self.snd_mss.min(self.config.recv_buffer / 2).max(1) {
                self.ack_pending = true;
            }
        }
        n
    }

    /// Bytes received and waiting for `recv`.
    pub fn recv_queue(&self) -> usize {
        self.recv_buf.len()
    }

    /// True when the peer sent FIN and every byte before it was read.
    pub fn recv_finished(&self) -> bool {
        self.peer_fin && self.recv_buf.is_empty()
    }

    /// Closes our direction (RFC 9293 §3.10.4): a FIN follows the queued data.
    /// The peer may keep sending until it closes too (half-close).
    pub fn close(&mut self) {
        match self.state {
            // RFC 9293 §3.10.4: in SYN-SENT, delete the TCB.
            State::SynSent | State::Listen => self.state = State::Closed,
            // RFC 9293 §3.10.4: in SYN-RECEIVED the FIN waits for ESTABLISHED.
            State::SynReceived => self.fin_queued = true,
            State::Established => {
                self.fin_queued = true;
                self.state = State::FinWait1;
            }
            State::CloseWait => {
                self.fin_queued = true;
                self.state = State::LastAck;
            }
            _ => {}
        }
    }

    /// Aborts (RFC 9293 §3.10.5): a RST goes out (in the synchronized states
    /// and SYN-RECEIVED), queues are dropped and the connection is CLOSED.
    pub fn abort(&mut self) {
        let send_rst = matches!(
            self.state,
            State::SynReceived
                | State::Established
                | State::FinWait1
                | State::FinWait2
                | State::CloseWait
        );
        self.rst_pending = send_rst;
        self.send_buf.clear();
        self.recv_buf.clear();
        self.enter_closed();
    }

    /// When [`Connection::handle_timeout`] should next be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        [
            self.rtx_deadline,
            self.time_wait_deadline,
            self.delack_deadline,
            self.keepalive_deadline(),
            self.rack.reo_deadline,
            self.rack.pto_deadline,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Runs the timers due at `now`: the delayed ACK (RFC 9293 §3.8.6.3),
    /// keep-alives (§3.8.4), retransmission (RFC 6298 §5.4-5.6) doubling as
    /// the persist timer (RFC 9293 §3.8.6.1), and the TIME-WAIT expiry.
    pub fn handle_timeout(&mut self, now: Instant) {
        if let Some(t) = self.time_wait_deadline {
            if now >= t {
                // RFC 9293 §3.10.8: when the time-wait timeout expires, delete the TCB.
                self.enter_closed();
                self.events.push_back(Event::Closed);
                return;
            }
        }
        if self.delack_deadline.is_some_and(|t| now >= t) {
            self.delack_deadline = None;
            self.ack_pending = true;
        }
        if self.keepalive_deadline().is_some_and(|t| now >= t) {
            self.on_keepalive_timer();
        }
        // RFC 8985 §6.3, §7.3: the reordering timer and the probe timeout.
        self.on_rack_timers(now);
        let Some(t) = self.rtx_deadline else { return };
        if now < t {
            return;
        }
        let handshake = matches!(self.state, State::SynSent | State::SynReceived);
        let waiting = self.snd_nxt == self.snd_una && self.snd_una == self.snd_max;
        if waiting && !self.send_buf.is_empty() && !handshake {
            // The persist timer (RFC 9293 §3.8.6.1): nothing in flight, data
            // held back by a zero window (probe with one octet) or by sender
            // SWS avoidance (the override timeout, §3.8.6.2.1: send what fits).
            self.probe = true;
            self.rtt.backoff();
            self.rtx_deadline = Some(now + self.rtt.rto);
            return;
        }
        let limit = if handshake {
            self.config.max_syn_retries
        } else {
            self.config.max_retries
        };
        if self.retries >= limit {
            // RFC 9293 §3.8.3: past R2, close the connection.
            self.enter_closed();
            self.events.push_back(Event::TimedOut);
            return;
        }
        if !handshake && self.snd_wnd == 0 {
            // A probe beyond a zero window went unanswered (RFC 9293
            // §3.8.6.1): probe again with backoff. It says nothing about
            // congestion, and every ACK of the peer resets `retries`
            // (MUST-37: the window may stay zero indefinitely).
            self.retries += 1;
            self.rtt.backoff();
            self.snd_nxt = self.snd_una;
            self.rtt_sample = None;
            self.probe = true;
            self.rtx_deadline = Some(now + self.rtt.rto);
            return;
        }
        if !handshake {
            self.on_rto_congestion(now);
        }
        self.retries += 1;
        self.retransmits += 1;
        self.timeouts += 1;
        if self.retries == self.config.r1 {
            // RFC 9293 §3.8.3: at R1, tell the application (SHLD-9).
            self.events.push_back(Event::Retransmitting);
        }
        // RFC 6298 §5.5: back off; §5.4: retransmit the earliest unacknowledged segment.
        self.rtt.backoff();
        if handshake {
            self.syn_retransmitted = true;
        }
        self.snd_nxt = self.snd_una;
        // Karn's rule (RFC 6298 §3): no RTT sample from a retransmitted segment.
        self.rtt_sample = None;
        // RFC 6298 §5.6: restart the timer.
        self.rtx_deadline = Some(now + self.rtt.rto);
    }

    /// SND.MAX - SND.UNA: every octet sent and not yet acknowledged (FlightSize, RFC 5681 §2).
    fn flight_size(&self) -> u32 {
        self.snd_max.distance_from(self.snd_una).max(0) as u32
    }

    /// Appends to the trace if one is kept, dropping the oldest past its capacity.
    fn record(&mut self, event: TraceEvent) {
        let cap = self.config.trace_capacity;
        if cap == 0 {
            return;
        }
        if self.trace.len() >= cap {
            self.trace.pop_front();
        }
        self.trace.push_back(event);
    }

    /// Takes the trace recorded so far (see [`Config::trace`]).
    pub fn drain_trace(&mut self) -> impl Iterator<Item = TraceEvent> + '_ {
        self.trace.drain(..)
    }

    /// The receive window: free receive buffer space.
    fn rcv_wnd(&self) -> usize {
        self.config.recv_buffer.saturating_sub(self.recv_buf.len())
    }

    fn enter_closed(&mut self) {
        self.state = State::Closed;
        self.rack.stop_timers();
        self.rtx_deadline = None;
        self.time_wait_deadline = None;
        self.delack_deadline = None;
        self.ack_pending = false;
        self.challenge_pending = false;
        self.probe = false;
    }

    fn enter_time_wait(&mut self, now: Instant) {
        self.state = State::TimeWait;
        self.rack.stop_timers();
        self.rtx_deadline = None;
        self.delack_deadline = None;
        // RFC 9293 §3.10.7.4: start (or restart) the 2 MSL time-wait timeout.
        self.time_wait_deadline = Some(now + self.config.time_wait_duration());
    }
}

/// A unicast address and a non-zero port: what either end of a connection
/// must be (RFC 9293 §3.9.1.1 MUST-46, §3.10.7.2 MUST-57, MUST-63).
pub(crate) fn is_unicast(addr: SocketAddr) -> bool {
    let ip_ok = match addr.ip() {
        core::net::IpAddr::V4(a) => !(a.is_unspecified() || a.is_broadcast() || a.is_multicast()),
        core::net::IpAddr::V6(a) => !(a.is_unspecified() || a.is_multicast()),
    };
    ip_ok && addr.port() != 0
}
