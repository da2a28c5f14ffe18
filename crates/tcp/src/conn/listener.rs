//! Passive open: a listener with a bounded backlog of half-open connections
//! and a bounded accept queue.

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::net::SocketAddr;

use handshake_time::Instant;

use super::rst_reply;
use super::{cookie, Config, Connection, IsnGenerator, State, Transmit};
use crate::wire::{Ecn, SegmentRepr, SeqNumber, TcpFlags, Timestamps};

/// A socket in LISTEN (RFC 9293 §3.10.7.2) that turns SYNs into connections.
///
/// Half-open connections (SYN-RECEIVED) are kept up to the backlog; a SYN
/// beyond it is answered with a SYN cookie (RFC 4987 §3.6) and no state,
/// or dropped when cookies are off (the peer retransmits). Once a connection is
/// established it moves to the accept queue and the caller takes it with
/// [`Listener::accept`]; segments for it go straight to the connection.
///
/// The accept queue holds at most `backlog` connections too. While it is
/// full, as Linux does with `tcp_abort_on_overflow` off (its default):
/// new SYNs are dropped (`tcp_conn_request`), and the ACK that would
/// complete a half-open connection is dropped (`tcp_check_req`), which stays
/// in SYN-RECEIVED; its SYN,ACK retransmission draws the peer's ACK again,
/// and the handshake completes once the application has made room. Nothing
/// is reset: the peer sees a slow server, not a refused one.
///
/// ```
/// use handshake_tcp::conn::{Config, Connection, IsnGenerator, Listener, State};
/// use handshake_tcp::wire::SeqNumber;
/// use handshake_time::Instant;
/// let (c, s) = ("192.0.2.1:4000".parse().unwrap(), "192.0.2.2:80".parse().unwrap());
/// let now = Instant::ZERO;
/// let mut l = Listener::new(Config::default(), s, IsnGenerator::new([1; 32]), 16);
/// let mut client = Connection::connect(Config::default(), c, s, now, SeqNumber(1));
/// let syn = client.poll_transmit(now).unwrap();
/// l.handle_segment(now, c, &syn.repr());
/// let (to, synack) = l.poll_transmit(now).unwrap();
/// assert_eq!(to, c);
/// client.handle_segment(now, &synack.repr());
/// assert_eq!(client.state(), State::Established);
/// let ack = client.poll_transmit(now).unwrap();
/// l.handle_segment(now, c, &ack.repr());
/// assert_eq!(l.accept().unwrap().state(), State::Established);
/// ```
#[derive(Debug)]
pub struct Listener {
    config: Config,
    local: SocketAddr,
    isn: IsnGenerator,
    backlog: usize,
    // Boxed once when the SYN arrives: a connection is a large struct, and
    // it moves from here to the accept queue to the endpoint's table.
    #[allow(clippy::vec_box)] // boxed so that the move to the accept queue and on is a pointer's
    half_open: Vec<Box<Connection>>,
    accept_queue: VecDeque<Box<Connection>>,
    replies: VecDeque<(SocketAddr, Transmit)>,
    dropped_syns: u64,
    listen_overflows: u64,
    syn_cookies: bool,
    cookie_sent_at: Option<Instant>,
    cookies_sent: u64,
    cookies_accepted: u64,
}

impl Listener {
    /// A listener on `local` holding at most `backlog` half-open connections.
    pub fn new(config: Config, local: SocketAddr, isn: IsnGenerator, backlog: usize) -> Self {
        Listener {
            config,
            local,
            isn,
            backlog,
            half_open: Vec::new(),
            accept_queue: VecDeque::new(),
            replies: VecDeque::new(),
            dropped_syns: 0,
            listen_overflows: 0,
            syn_cookies: true,
            cookie_sent_at: None,
            cookies_sent: 0,
            cookies_accepted: 0,
        }
    }

    /// Whether a SYN that finds the half-open backlog full gets a SYN
    /// cookie (RFC 4987 §3.6; on by default, as Linux's `tcp_syncookies=1`)
    /// or is dropped.
    pub fn set_syn_cookies(&mut self, on: bool) {
        self.syn_cookies = on;
    }

    /// SYN-ACKs sent with a cookie.
    pub fn cookies_sent(&self) -> u64 {
        self.cookies_sent
    }

    /// Connections made from a valid returning cookie.
    pub fn cookies_accepted(&self) -> u64 {
        self.cookies_accepted
    }

    /// Always [`State::Listen`].
    pub fn state(&self) -> State {
        State::Listen
    }

    /// Half-open connections held.
    pub fn half_open(&self) -> usize {
        self.half_open.len()
    }

    /// SYNs dropped because the backlog or the accept queue was full.
    pub fn dropped_syns(&self) -> u64 {
        self.dropped_syns
    }

    /// Handshake-completing ACKs dropped because the accept queue was full
    /// (Linux's `ListenOverflows`).
    pub fn listen_overflows(&self) -> u64 {
        self.listen_overflows
    }

    /// Established connections waiting for [`Listener::accept`] (at most the backlog).
    pub fn accept_queue(&self) -> usize {
        self.accept_queue.len()
    }

    fn accept_queue_full(&self) -> bool {
        self.accept_queue.len() >= self.backlog
    }

    /// An established connection, oldest first.
    pub fn accept(&mut self) -> Option<Connection> {
        self.accept_boxed().map(|c| *c)
    }

    /// [`Listener::accept`] without moving the connection out of its box.
    pub(crate) fn accept_boxed(&mut self) -> Option<Box<Connection>> {
        self.accept_queue.pop_front()
    }

    /// Processes a segment from `remote` to our port (RFC 9293 §3.10.7.2).
    pub fn handle_segment(&mut self, now: Instant, remote: SocketAddr, seg: &SegmentRepr<'_>) {
        self.handle_segment_ecn(now, remote, seg, Ecn::NotEct);
    }

    /// [`Listener::handle_segment`] with the IP header's ECN codepoint
    /// (RFC 3168 §5), for the connections it holds.
    pub fn handle_segment_ecn(
        &mut self,
        now: Instant,
        remote: SocketAddr,
        seg: &SegmentRepr<'_>,
        ecn: Ecn,
    ) {
        if seg.dst_port != self.local.port() || seg.src_port != remote.port() {
            return;
        }
        if let Some(i) = self.half_open.iter().position(|c| c.remote() == remote) {
            // Linux tcp_check_req: with the accept queue full the ACK that
            // would complete the handshake is dropped, not answered.
            let f = seg.flags;
            let completes =
                f.contains(TcpFlags::ACK) && !f.intersects(TcpFlags::RST | TcpFlags::SYN);
            if completes && self.accept_queue_full() {
                self.listen_overflows += 1;
                return;
            }
            self.half_open[i].handle_segment_ecn(now, seg, ecn);
            self.sweep(now);
            return;
        }
        // An established connection that the application has not accepted
        // yet is a connection (RFC 9293 §3.10.7.4): its segments reach it and
        // it answers them now, as Linux's child sockets do, not a RST from
        // LISTEN. One that closed meanwhile stays to be accepted; a new SYN
        // from its 4-tuple is the listener's.
        if let Some(c) = self
            .accept_queue
            .iter_mut()
            .find(|c| c.remote() == remote && c.state() != State::Closed)
        {
            c.handle_segment_ecn(now, seg, ecn);
            return;
        }
        let f = seg.flags;
        // First: an incoming RST is ignored.
        if f.contains(TcpFlags::RST) {
            return;
        }
        // An ACK may return a SYN cookie (RFC 4987 §3.6), looked for only
        // while cookies were sent in the last two periods (Linux
        // tcp_synq_no_recent_overflow).
        let recent = self.cookie_sent_at.is_some_and(|t| {
            now.saturating_duration_since(t).as_nanos() < u128::from(2 * cookie::PERIOD_NS)
        });
        if recent && f.contains(TcpFlags::ACK) && !f.contains(TcpFlags::SYN) {
            if let Some(c) = self.cookie_connection(now, remote, seg, ecn) {
                if self.accept_queue_full() {
                    self.listen_overflows += 1;
                    return;
                }
                self.cookies_accepted += 1;
                self.accept_queue.push_back(c);
                return;
            }
        }
        // Second: any acknowledgment is bad: <SEQ=SEG.ACK><CTL=RST>.
        if f.contains(TcpFlags::ACK) {
            if self.replies.len() < super::MAX_REPLIES {
                self.replies.extend(rst_reply(seg).map(|t| (remote, t)));
            }
            return;
        }
        // Third: a SYN makes a new connection in SYN-RECEIVED.
        if !f.contains(TcpFlags::SYN) {
            return;
        }
        // RFC 9293 §3.10.7.2: a SYN from a broadcast, multicast or otherwise
        // invalid source (MUST-63), or to such an address (MUST-57), is
        // silently discarded.
        if !super::is_unicast(remote) || !super::is_unicast(self.local) {
            return;
        }
        // Linux tcp_conn_request: a SYN is dropped while the accept queue is
        // full; while the half-open backlog is, it gets a SYN cookie
        // (RFC 4987 §3.6) unless cookies are off.
        if self.accept_queue_full() || (self.half_open.len() >= self.backlog && !self.syn_cookies) {
            self.dropped_syns += 1;
            return;
        }
        if self.half_open.len() >= self.backlog {
            self.send_cookie(now, remote, seg);
            return;
        }
        // RFC 6528: the ISN from a keyed hash of the 4-tuple plus a clock.
        let iss = self.isn.isn(now, self.local, remote);
        let c = self.syn_received(now, remote, iss, seg);
        self.half_open.push(c);
    }

    /// A connection in SYN-RECEIVED for `syn`, our ISN `iss`.
    fn syn_received(
        &self,
        now: Instant,
        remote: SocketAddr,
        iss: SeqNumber,
        syn: &SegmentRepr<'_>,
    ) -> Box<Connection> {
        let mut c = Box::new(Connection::new(
            self.config.clone(),
            self.local,
            remote,
            iss,
        ));
        c.state = State::SynReceived;
        c.take_syn_options(now, syn, self.config.window_scaling);
        // RFC 7323 §5.4: the TSval offset, a keyed hash like the ISN; only
        // a connection that sends TSval needs it (a hash saved otherwise).
        if c.ts_ok {
            c.ts_offset = self.isn.ts_offset(self.local.ip(), remote.ip());
        }
        c
    }

    /// RFC 4987 §3.6: answers `syn` with a SYN-ACK whose ISN is a cookie and
    /// keeps nothing. Without timestamps there is nowhere to keep the window
    /// scale and SACK-permitted options, so the SYN-ACK offers neither.
    fn send_cookie(&mut self, now: Instant, remote: SocketAddr, syn: &SegmentRepr<'_>) {
        if self.replies.len() >= super::MAX_REPLIES {
            self.dropped_syns += 1;
            return;
        }
        let mss = syn.options.mss.unwrap_or(536);
        let iss = cookie::encode(&self.isn, now, self.local, remote, syn.seq_number, mss);
        let mut kept = *syn;
        kept.options.mss = Some(cookie::table_mss(mss));
        let ts = self.config.timestamps && syn.options.timestamps.is_some();
        if !ts {
            kept.options.window_scale = None;
            kept.options.sack_permitted = false;
            // Nowhere to keep the ECN agreement either (RFC 3168 §6.1.1).
            kept.flags.remove(TcpFlags::ECE | TcpFlags::CWR);
        }
        let mut c = self.syn_received(now, remote, iss, &kept);
        let Some(mut synack) = c.poll_transmit(now) else {
            return;
        };
        let wscale = kept
            .options
            .window_scale
            .filter(|_| self.config.window_scaling);
        let sack = kept.options.sack_permitted && self.config.sack;
        let ecn = synack.header.flags.contains(TcpFlags::ECE);
        if let Some(t) = synack.header.options.timestamps.as_mut() {
            t.tsval = cookie::ts_with_options(t.tsval, wscale, sack, ecn);
        }
        self.cookies_sent += 1;
        self.cookie_sent_at = Some(now);
        self.replies.push_back((remote, synack));
    }

    /// The connection a returning ACK's SYN cookie describes, ESTABLISHED by
    /// that ACK, or `None` when it carries no valid cookie.
    fn cookie_connection(
        &self,
        now: Instant,
        remote: SocketAddr,
        ack: &SegmentRepr<'_>,
        ecn: Ecn,
    ) -> Option<Box<Connection>> {
        let client_isn = ack.seq_number - 1;
        let iss = ack.ack_number - 1;
        let mss = cookie::decode(&self.isn, now, self.local, remote, client_isn, iss)?;
        let mut syn = SegmentRepr::new(ack.src_port, ack.dst_port, client_isn, TcpFlags::SYN);
        syn.window = ack.window;
        syn.options.mss = Some(mss);
        if let (true, Some(ts)) = (self.config.timestamps, ack.options.timestamps) {
            let (wscale, sack, ecn) = cookie::ts_options(ts.tsecr);
            syn.options.window_scale = wscale;
            syn.options.sack_permitted = sack;
            if ecn {
                syn.flags |= TcpFlags::ECE | TcpFlags::CWR;
            }
            syn.options.timestamps = Some(Timestamps {
                tsval: ts.tsval,
                tsecr: 0,
            });
        }
        let mut c = self.syn_received(now, remote, iss, &syn);
        // The SYN-ACK went out statelessly: this one only moves SND.NXT.
        let _ = c.poll_transmit(now);
        c.handle_segment_ecn(now, ack, ecn);
        (c.state() == State::Established).then_some(c)
    }

    /// Moves established connections to the accept queue and forgets dead ones.
    fn sweep(&mut self, now: Instant) {
        let mut i = 0;
        while i < self.half_open.len() {
            match self.half_open[i].state() {
                State::SynReceived => i += 1,
                State::Closed => {
                    let mut c = self.half_open.remove(i);
                    while let Some(t) = c.poll_transmit(now) {
                        if self.replies.len() < super::MAX_REPLIES {
                            self.replies.push_back((c.remote(), t));
                        }
                    }
                }
                _ => {
                    let c = self.half_open.remove(i);
                    self.accept_queue.push_back(c);
                }
            }
        }
    }

    /// The next segment to send and its destination: replies, then the
    /// half-open connections' and those waiting to be accepted (which
    /// acknowledge data and retransmit like any connection).
    pub fn poll_transmit(&mut self, now: Instant) -> Option<(SocketAddr, Transmit)> {
        if let Some(r) = self.replies.pop_front() {
            return Some(r);
        }
        let queued = self
            .half_open
            .iter_mut()
            .chain(self.accept_queue.iter_mut());
        for c in queued {
            if let Some(t) = c.poll_transmit(now) {
                return Some((c.remote(), t));
            }
        }
        None
    }

    /// The earliest timer of the half-open connections and of those waiting
    /// to be accepted.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let queued = self.half_open.iter().chain(self.accept_queue.iter());
        queued.filter_map(|c| c.poll_timeout()).min()
    }

    /// Runs the timers of the half-open connections (SYN,ACK retransmission)
    /// and of those waiting to be accepted (delayed ACKs, retransmission).
    pub fn handle_timeout(&mut self, now: Instant) {
        let queued = self
            .half_open
            .iter_mut()
            .chain(self.accept_queue.iter_mut());
        for c in queued {
            if c.poll_timeout().is_some_and(|t| t <= now) {
                c.handle_timeout(now);
            }
        }
        self.sweep(now);
    }
}
