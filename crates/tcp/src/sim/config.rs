//! The simulator's settings and the numbers it reports.

use handshake_time::{Duration, Instant};

/// Settings of a [`Simulator`](super::Simulator).
///
/// ```
/// use handshake_tcp::sim::SimConfig;
/// let c = SimConfig::default().seed(7).trace_capacity(10_000).wire_format(true);
/// assert_eq!(c, SimConfig::default().wire_format(true).trace_capacity(10_000).seed(7));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimConfig {
    pub(super) seed: u64,
    pub(super) start: Instant,
    pub(super) trace_capacity: usize,
    pub(super) wire: bool,
    pub(super) max_events: u64,
    pub(super) time_limit: Duration,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 0,
            start: Instant::from_nanos(1_000_000_000),
            trace_capacity: 0,
            wire: false,
            max_events: 200_000_000,
            time_limit: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

impl SimConfig {
    /// The seed of every random choice: links' loss, reordering and
    /// duplication, and the ISN key (default 0).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The simulated time at which the run starts (default 1 s).
    pub fn start(mut self, t: Instant) -> Self {
        self.start = t;
        self
    }

    /// Keep at most this many trace events (default 0: no trace).
    pub fn trace_capacity(mut self, n: usize) -> Self {
        self.trace_capacity = n;
        self
    }

    /// Carry every segment as bytes: emit with the checksum at the sender,
    /// verify and parse at the receiver (default off: hand over the repr).
    pub fn wire_format(mut self, on: bool) -> Self {
        self.wire = on;
        self
    }

    /// Stop any run after this many events (default 200 million), a guard
    /// against an application that never settles.
    pub fn max_events(mut self, n: u64) -> Self {
        self.max_events = n;
        self
    }

    /// Stop [`Simulator::run_until_idle`](super::Simulator::run_until_idle) after this much simulated time (default a week).
    pub fn time_limit(mut self, d: Duration) -> Self {
        self.time_limit = d;
        self
    }
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunOutcome {
    /// Nothing left to happen (or the condition held).
    Done,
    /// The simulated time limit passed first.
    TimeLimit,
    /// The event limit ([`SimConfig::max_events`]) was reached.
    EventLimit,
}

/// The largest values seen at one connection, sampled after every event.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Peaks {
    /// Bytes in the out-of-order buffer.
    pub reassembly_bytes: usize,
    /// Bytes received and not yet read.
    pub recv_queue: usize,
    /// Bytes queued to send and not yet acknowledged.
    pub send_queue: usize,
    /// Bytes in flight.
    pub bytes_in_flight: u32,
}

/// How often a connection reported each [`Event`](crate::conn::Event).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EventCounts {
    /// [`Event::Connected`](crate::conn::Event::Connected).
    pub connected: u32,
    /// [`Event::PeerClosed`](crate::conn::Event::PeerClosed).
    pub peer_closed: u32,
    /// [`Event::Reset`](crate::conn::Event::Reset).
    pub reset: u32,
    /// [`Event::TimedOut`](crate::conn::Event::TimedOut).
    pub timed_out: u32,
    /// [`Event::Closed`](crate::conn::Event::Closed).
    pub closed: u32,
}
