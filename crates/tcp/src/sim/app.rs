//! Applications that drive simulated connections: a bulk sender, a sink, an
//! echo server and a request-response client.
//!
//! Data is a pattern: byte `i` of stream `s` is [`pattern_byte`]`(s, i)`, a
//! hash of the offset, so a receiver checks every byte's position in the
//! stream as it reads (a lost, duplicated or reordered byte shows as a
//! mismatch) without keeping a copy of what was sent.

use alloc::collections::VecDeque;

use handshake_time::{Duration, Instant};

use crate::conn::{Connection, Event, State};

/// Byte `offset` of test stream `stream`.
///
/// ```
/// use handshake_tcp::sim::pattern_byte;
/// let bytes: Vec<u8> = (0..8).map(|i| pattern_byte(1, i)).collect();
/// let mut buf = [0u8; 8];
/// handshake_tcp::sim::fill_pattern(1, 0, &mut buf);
/// assert_eq!(&buf[..], &bytes[..]);
/// // Another stream is another sequence.
/// assert_ne!((0..8).map(|i| pattern_byte(2, i)).collect::<Vec<u8>>(), bytes);
/// ```
pub fn pattern_byte(stream: u8, offset: u64) -> u8 {
    let x = (offset ^ (u64::from(stream) << 56)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (x >> 56) as u8
}

/// Fills `buf` with stream `stream` from `offset` on.
pub fn fill_pattern(stream: u8, offset: u64, buf: &mut [u8]) {
    for (i, b) in buf.iter_mut().enumerate() {
        *b = pattern_byte(stream, offset + i as u64);
    }
}

/// Checks a received stream against [`pattern_byte`] as it arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verifier {
    stream: u8,
    received: u64,
    first_mismatch: Option<u64>,
}

impl Verifier {
    /// Expects stream `stream` from offset 0.
    pub fn new(stream: u8) -> Self {
        Verifier {
            stream,
            received: 0,
            first_mismatch: None,
        }
    }

    /// Checks the next bytes.
    pub fn check(&mut self, data: &[u8]) {
        if self.first_mismatch.is_none() {
            if let Some(i) = data
                .iter()
                .enumerate()
                .position(|(i, b)| *b != pattern_byte(self.stream, self.received + i as u64))
            {
                self.first_mismatch = Some(self.received + i as u64);
            }
        }
        self.received += data.len() as u64;
    }

    /// Bytes checked.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// The offset of the first wrong byte, if any.
    pub fn first_mismatch(&self) -> Option<u64> {
        self.first_mismatch
    }
}

/// What an application has done so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AppReport {
    /// Bytes the connection accepted from the application.
    pub sent: u64,
    /// Bytes the application read.
    pub received: u64,
    /// Offset of the first received byte that broke the expected pattern.
    pub first_mismatch: Option<u64>,
    /// The peer's FIN arrived and every byte before it was read.
    pub peer_closed: bool,
    /// The application finished its job (see each application).
    pub done: bool,
}

/// An application on one connection. The simulator calls
/// [`App::poll`] after every event at the connection, and at
/// [`App::poll_timeout`] when the application asks to be woken.
pub trait App {
    /// Moves data between the application and the connection.
    fn poll(&mut self, now: Instant, conn: &mut Connection);
    /// When to be polled next regardless of the connection.
    fn poll_timeout(&self) -> Option<Instant> {
        None
    }
    /// An event the connection reported.
    fn on_event(&mut self, _now: Instant, _event: Event) {}
    /// Progress so far.
    fn report(&self) -> AppReport;
}

const CHUNK: usize = 16 * 1024;

/// Reads everything available, checking it; true if anything was read.
fn read_all(conn: &mut Connection, v: &mut Verifier) -> bool {
    let mut buf = [0u8; CHUNK];
    let mut any = false;
    loop {
        let n = conn.recv(&mut buf);
        if n == 0 {
            return any;
        }
        v.check(&buf[..n]);
        any = true;
    }
}

/// Queues stream `stream` from `*sent` up to `total`; returns bytes queued now.
fn send_pattern(conn: &mut Connection, stream: u8, sent: &mut u64, total: u64) -> u64 {
    let mut buf = [0u8; CHUNK];
    let start = *sent;
    while *sent < total {
        let want = (total - *sent).min(CHUNK as u64) as usize;
        let want = want.min(conn.send_capacity());
        if want == 0 {
            break;
        }
        fill_pattern(stream, *sent, &mut buf[..want]);
        let n = conn.send(&buf[..want]);
        *sent += n as u64;
        if n < want {
            break;
        }
    }
    *sent - start
}

/// Closes once the handshake is done (a close in SYN-SENT would delete the connection).
fn close_when_open(conn: &mut Connection) -> bool {
    match conn.state() {
        State::Established | State::CloseWait => {
            conn.close();
            true
        }
        State::SynSent | State::SynReceived => false,
        _ => true,
    }
}

/// Sends `total` bytes of a pattern stream, then closes; reads (and checks
/// against stream `stream ^ 0xff`) whatever the peer sends. Done when the
/// close is issued and every byte is acknowledged.
///
/// ```
/// use handshake_tcp::sim::{App, Bulk};
/// let b = Bulk::new(1 << 20).stream(3);
/// assert!(!b.report().done);
/// ```
#[derive(Debug, Clone)]
pub struct Bulk {
    total: u64,
    stream: u8,
    start_after: Duration,
    start_at: Option<Instant>,
    close: bool,
    sent: u64,
    closed: bool,
    acked: bool,
    incoming: Verifier,
}

impl Bulk {
    /// Sends `total` bytes of stream 1, then closes.
    pub fn new(total: u64) -> Self {
        Bulk {
            total,
            stream: 1,
            start_after: Duration::ZERO,
            start_at: None,
            close: true,
            sent: 0,
            closed: false,
            acked: false,
            incoming: Verifier::new(!1),
        }
    }

    /// Uses pattern stream `s` (default 1).
    pub fn stream(mut self, s: u8) -> Self {
        self.stream = s;
        self.incoming = Verifier::new(!s);
        self
    }

    /// Waits `d` after the first poll before sending anything (an idle period).
    pub fn start_after(mut self, d: Duration) -> Self {
        self.start_after = d;
        self
    }

    /// Whether to close after the last byte (default true).
    pub fn close_when_done(mut self, close: bool) -> Self {
        self.close = close;
        self
    }
}

impl App for Bulk {
    fn poll(&mut self, now: Instant, conn: &mut Connection) {
        let start = *self.start_at.get_or_insert(now + self.start_after);
        read_all(conn, &mut self.incoming);
        if now < start {
            return;
        }
        send_pattern(conn, self.stream, &mut self.sent, self.total);
        if self.sent == self.total && self.close && !self.closed {
            self.closed = close_when_open(conn);
        }
        self.acked = self.sent == self.total && conn.send_queue() == 0;
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.start_at.filter(|_| self.sent == 0 && self.total > 0)
    }

    fn report(&self) -> AppReport {
        AppReport {
            sent: self.sent,
            received: self.incoming.received(),
            first_mismatch: self.incoming.first_mismatch(),
            peer_closed: false,
            done: self.acked && (self.closed || !self.close),
        }
    }
}

/// Reads eagerly, checking pattern stream `stream`; closes its side when the
/// peer has closed. Done when the peer's FIN arrived and all was read.
///
/// ```
/// use handshake_tcp::sim::{App, Sink};
/// assert_eq!(Sink::new(1).report().received, 0);
/// ```
#[derive(Debug, Clone)]
pub struct Sink {
    verifier: Verifier,
    peer_closed: bool,
    closed: bool,
}

impl Sink {
    /// Expects stream `stream` (a [`Bulk`] sends stream 1 by default).
    pub fn new(stream: u8) -> Self {
        Sink {
            verifier: Verifier::new(stream),
            peer_closed: false,
            closed: false,
        }
    }
}

impl App for Sink {
    fn poll(&mut self, _now: Instant, conn: &mut Connection) {
        read_all(conn, &mut self.verifier);
        if conn.recv_finished() {
            self.peer_closed = true;
            if !self.closed {
                self.closed = close_when_open(conn);
            }
        }
    }

    fn report(&self) -> AppReport {
        AppReport {
            sent: 0,
            received: self.verifier.received(),
            first_mismatch: self.verifier.first_mismatch(),
            peer_closed: self.peer_closed,
            done: self.peer_closed,
        }
    }
}

/// Sends back every byte it reads (through a bounded buffer: it stops
/// reading while the buffer is full, so the peer's window closes), and
/// closes after the peer closed and everything was echoed. No pattern
/// check: it echoes whatever comes.
#[derive(Debug, Clone)]
pub struct Echo {
    buf: VecDeque<u8>,
    capacity: usize,
    sent: u64,
    received: u64,
    peer_closed: bool,
    closed: bool,
}

impl Echo {
    /// An echo holding at most `capacity` bytes not yet accepted by its connection.
    pub fn new(capacity: usize) -> Self {
        Echo {
            buf: VecDeque::new(),
            capacity: capacity.max(1),
            sent: 0,
            received: 0,
            peer_closed: false,
            closed: false,
        }
    }
}

impl App for Echo {
    fn poll(&mut self, _now: Instant, conn: &mut Connection) {
        let mut tmp = [0u8; CHUNK];
        loop {
            // Send what is buffered.
            while !self.buf.is_empty() {
                let (a, _) = self.buf.as_slices();
                let n = conn.send(a);
                self.buf.drain(..n);
                self.sent += n as u64;
                if n == 0 {
                    break;
                }
            }
            let room = self.capacity - self.buf.len();
            if room == 0 {
                break;
            }
            let n = conn.recv(&mut tmp[..room.min(CHUNK)]);
            if n == 0 {
                break;
            }
            self.received += n as u64;
            self.buf.extend(&tmp[..n]);
        }
        if conn.recv_finished() {
            self.peer_closed = true;
            if self.buf.is_empty() && !self.closed {
                self.closed = close_when_open(conn);
            }
        }
    }

    fn report(&self) -> AppReport {
        AppReport {
            sent: self.sent,
            received: self.received,
            first_mismatch: None,
            peer_closed: self.peer_closed,
            done: self.peer_closed && self.closed,
        }
    }
}

/// Request-response over an [`Echo`]: sends `rounds` requests of `size`
/// bytes, each after the previous one came back whole (checked against the
/// pattern), then closes. Done when every response arrived and the close was
/// issued.
///
/// ```
/// use handshake_tcp::sim::{App, Requester};
/// let r = Requester::new(1000, 3);
/// assert_eq!(r.report().sent, 0);
/// ```
#[derive(Debug, Clone)]
pub struct Requester {
    size: u64,
    rounds: u32,
    stream: u8,
    sent: u64,
    verifier: Verifier,
    closed: bool,
    peer_closed: bool,
}

impl Requester {
    /// `rounds` requests of `size` bytes (pattern stream 7).
    pub fn new(size: u64, rounds: u32) -> Self {
        Requester {
            size,
            rounds,
            stream: 7,
            sent: 0,
            verifier: Verifier::new(7),
            closed: false,
            peer_closed: false,
        }
    }

    fn total(&self) -> u64 {
        self.size * u64::from(self.rounds)
    }
}

impl App for Requester {
    fn poll(&mut self, _now: Instant, conn: &mut Connection) {
        read_all(conn, &mut self.verifier);
        // The next request goes once the previous response is complete.
        let answered = self.verifier.received() / self.size.max(1);
        let may_send = (answered + 1).min(u64::from(self.rounds)) * self.size;
        send_pattern(conn, self.stream, &mut self.sent, may_send);
        if self.verifier.received() >= self.total() && !self.closed {
            self.closed = close_when_open(conn);
        }
        self.peer_closed |= conn.recv_finished();
    }

    fn report(&self) -> AppReport {
        AppReport {
            sent: self.sent,
            received: self.verifier.received(),
            first_mismatch: self.verifier.first_mismatch(),
            peer_closed: self.peer_closed,
            done: self.closed && self.verifier.received() >= self.total(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifier_catches_duplicate_and_reorder() {
        let mut data = [0u8; 4096];
        fill_pattern(5, 0, &mut data);
        let mut ok = Verifier::new(5);
        ok.check(&data[..1000]);
        ok.check(&data[1000..]);
        assert_eq!((ok.received(), ok.first_mismatch()), (4096, None));

        // A segment delivered twice.
        let mut dup = Verifier::new(5);
        dup.check(&data[..1460]);
        dup.check(&data[..1460]);
        assert_eq!(dup.first_mismatch(), Some(1460));

        // Two segments swapped.
        let mut swapped = Verifier::new(5);
        swapped.check(&data[100..200]);
        swapped.check(&data[..100]);
        assert_eq!(swapped.first_mismatch(), Some(0));

        // A different stream.
        let mut other = Verifier::new(6);
        other.check(&data[..64]);
        assert!(other.first_mismatch().is_some());
    }

    #[test]
    fn pattern_is_not_periodic_in_small_strides() {
        // A shift by any stride up to 64 KiB changes most bytes.
        let mut a = alloc::vec![0u8; 4096];
        fill_pattern(1, 0, &mut a);
        for stride in [1u64, 2, 256, 1460, 65_536] {
            let mut b = alloc::vec![0u8; 4096];
            fill_pattern(1, stride, &mut b);
            let same = a.iter().zip(&b).filter(|(x, y)| x == y).count();
            assert!(same < 100, "stride {stride}: {same} equal bytes");
        }
    }
}
