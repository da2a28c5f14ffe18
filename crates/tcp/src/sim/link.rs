//! One direction of the simulated path: propagation delay, a bottleneck of
//! fixed bandwidth behind a drop-tail queue, random loss, reordering and
//! duplication drawn from a seeded RNG, and deterministic rules.

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::net::SocketAddr;

use handshake_time::{Duration, Instant};
use rand_chacha::ChaCha8Rng;
use rand_core::RngCore;

use crate::conn::Transmit;
use crate::wire::TcpFlags;

/// How one direction of the path treats packets.
///
/// Every default is a perfect link: 10 ms one-way delay, no bandwidth limit
/// (so no queue), no loss, no reordering, no duplication. Setters chain.
///
/// ```
/// use handshake_tcp::sim::LinkConfig;
/// use handshake_time::Duration;
/// // 10 Mbit/s, 20 ms one way, a 50-packet drop-tail queue, 1% loss.
/// let l = LinkConfig::default()
///     .delay(Duration::from_millis(20))
///     .bandwidth_bps(10_000_000)
///     .queue_packets(50)
///     .loss(0.01);
/// // A 1500-byte packet takes 1.2 ms to serialise at 10 Mbit/s.
/// assert_eq!(l.serialisation_time(1500), Duration::from_micros(1200));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LinkConfig {
    pub(crate) delay: Duration,
    pub(crate) bandwidth_bps: Option<u64>,
    pub(crate) queue_packets: usize,
    pub(crate) queue_bytes: usize,
    pub(crate) loss: f64,
    pub(crate) reorder: f64,
    pub(crate) reorder_delay: Duration,
    pub(crate) duplicate: f64,
    pub(crate) mark_threshold: Option<usize>,
}

impl Default for LinkConfig {
    fn default() -> Self {
        LinkConfig {
            delay: Duration::from_millis(10),
            bandwidth_bps: None,
            queue_packets: 100,
            queue_bytes: usize::MAX,
            loss: 0.0,
            reorder: 0.0,
            reorder_delay: Duration::ZERO,
            duplicate: 0.0,
            mark_threshold: None,
        }
    }
}

impl LinkConfig {
    /// One-way propagation delay (default 10 ms).
    pub fn delay(mut self, d: Duration) -> Self {
        self.delay = d;
        self
    }

    /// Bottleneck bandwidth in bits per second: each packet (IP and TCP
    /// headers included) occupies the link for `bytes * 8 / bps`, and packets
    /// wait their turn in the drop-tail queue. Default: unlimited.
    pub fn bandwidth_bps(mut self, bps: u64) -> Self {
        self.bandwidth_bps = Some(bps.max(1));
        self
    }

    /// Drop-tail queue limit in packets, the one on the wire included
    /// (default 100; only with a bandwidth limit).
    pub fn queue_packets(mut self, n: usize) -> Self {
        self.queue_packets = n.max(1);
        self
    }

    /// Drop-tail queue limit in bytes (default unlimited; only with a bandwidth limit).
    pub fn queue_bytes(mut self, n: usize) -> Self {
        self.queue_bytes = n.max(1);
        self
    }

    /// Probability that a packet is lost after crossing the bottleneck (0..=1).
    pub fn loss(mut self, p: f64) -> Self {
        self.loss = p.clamp(0.0, 1.0);
        self
    }

    /// Probability that a packet is held back by an extra delay drawn
    /// uniformly from `0..=max_extra`, so later packets overtake it.
    pub fn reorder(mut self, p: f64, max_extra: Duration) -> Self {
        self.reorder = p.clamp(0.0, 1.0);
        self.reorder_delay = max_extra;
        self
    }

    /// Probability that a packet arrives twice.
    pub fn duplicate(mut self, p: f64) -> Self {
        self.duplicate = p.clamp(0.0, 1.0);
        self
    }

    /// A marking queue (RFC 3168 §5; step marking as RFC 8257 §3.1
    /// describes for DCTCP): an ECN-capable packet (ECT(0), ECT(1)) that
    /// arrives while `packets` or more wait in the bottleneck queue is
    /// marked Congestion Experienced instead of waiting for the drop-tail
    /// limit to drop it; a Not-ECT packet is queued or tail-dropped as
    /// before (a router never marks one). Only with a bandwidth limit.
    /// Default: no marking.
    pub fn mark_threshold(mut self, packets: usize) -> Self {
        self.mark_threshold = Some(packets);
        self
    }

    /// The one-way propagation delay.
    pub fn propagation_delay(&self) -> Duration {
        self.delay
    }

    /// How long a packet of `bytes` occupies the bottleneck (zero without a bandwidth limit).
    pub fn serialisation_time(&self, bytes: usize) -> Duration {
        match self.bandwidth_bps {
            None => Duration::ZERO,
            Some(bps) => {
                let ns = (bytes as u128 * 8 * 1_000_000_000).div_ceil(u128::from(bps));
                Duration::from_nanos(ns.min(u128::from(u64::MAX)) as u64)
            }
        }
    }
}

/// Which segments a [`Rule`] picks, counted per direction from 0 (a
/// retransmission counts again).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Select {
    /// The Nth segment of any kind.
    NthSegment(u64),
    /// The Nth segment that carries data.
    NthData(u64),
    /// Data segments number `from` up to, not including, `to`.
    DataRange {
        /// First index picked.
        from: u64,
        /// First index not picked.
        to: u64,
    },
    /// Every segment with SYN set.
    EverySyn,
    /// Every segment with FIN set.
    EveryFin,
    /// Every segment with RST set.
    EveryRst,
    /// Every segment that carries data.
    EveryData,
    /// Every `n`th segment that carries data: numbers n-1, 2n-1, ...
    EveryNthData(u64),
    /// Every segment.
    Every,
}

/// What a [`Rule`] does to the segments it picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Lose it.
    Drop,
    /// Deliver it twice.
    Duplicate,
    /// Deliver it this much later than the link would.
    Delay(Duration),
    /// Set Congestion Experienced in its IP header if it is ECN-capable
    /// (ECT(0) or ECT(1)), as a router does instead of dropping it (RFC
    /// 3168 §5); a Not-ECT packet passes unchanged.
    MarkCe,
}

/// A deterministic rule for shape cases: "drop the 3rd data segment",
/// "drop every SYN". The first matching rule of a direction applies.
///
/// ```
/// use handshake_tcp::sim::{Action, Rule, Select};
/// let r = Rule::new(Select::NthData(2), Action::Drop);
/// assert_eq!(r.select, Select::NthData(2));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Which segments.
    pub select: Select,
    /// What happens to them.
    pub action: Action,
}

impl Rule {
    /// A rule.
    pub fn new(select: Select, action: Action) -> Self {
        Rule { select, action }
    }

    fn picks(&self, index: u64, data_index: Option<u64>, flags: TcpFlags) -> bool {
        match self.select {
            Select::NthSegment(n) => index == n,
            Select::NthData(n) => data_index == Some(n),
            Select::DataRange { from, to } => data_index.is_some_and(|i| (from..to).contains(&i)),
            Select::EverySyn => flags.contains(TcpFlags::SYN),
            Select::EveryFin => flags.contains(TcpFlags::FIN),
            Select::EveryRst => flags.contains(TcpFlags::RST),
            Select::EveryData => data_index.is_some(),
            Select::EveryNthData(n) => data_index.is_some_and(|i| n > 0 && (i + 1) % n == 0),
            Select::Every => true,
        }
    }
}

/// Why a packet never arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DropReason {
    /// A [`Rule`] dropped it.
    Rule,
    /// The drop-tail queue was full.
    QueueFull,
    /// Random loss.
    Loss,
    /// Nothing at the destination address and port.
    NoEndpoint,
    /// It failed to emit or parse on the wire path (a bug: counted, never expected).
    Malformed,
}

/// Counters of one direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkStats {
    /// Packets offered to the link.
    pub offered: u64,
    /// Packets offered that carried data.
    pub data_offered: u64,
    /// Bytes offered (IP and TCP headers included).
    pub bytes_offered: u64,
    /// Packets dropped by rules.
    pub dropped_rule: u64,
    /// Packets dropped because the queue was full.
    pub dropped_queue: u64,
    /// Packets lost at random.
    pub dropped_loss: u64,
    /// Packets delivered twice.
    pub duplicated: u64,
    /// Packets held back for reordering.
    pub reordered: u64,
    /// The most packets ever in the queue (the one on the wire included).
    pub max_queue_packets: usize,
    /// The most bytes ever in the queue.
    pub max_queue_bytes: usize,
    /// ECN-capable packets marked Congestion Experienced (by the marking
    /// queue or a rule).
    pub marked_ce: u64,
}

/// A segment on its way, with the addresses an IP header would carry.
#[derive(Debug, Clone)]
pub(crate) struct Packet {
    pub(crate) src: SocketAddr,
    pub(crate) dst: SocketAddr,
    pub(crate) t: Transmit,
}

impl Packet {
    /// Bytes on the wire: IP header, TCP header with options, data.
    pub(crate) fn wire_len(&self) -> usize {
        let ip = if self.src.is_ipv4() { 20 } else { 40 };
        ip + self.t.repr().buffer_len()
    }
}

/// The link's verdict on one packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fate {
    /// Never arrives.
    Dropped(DropReason),
    /// Arrives at the first time, and again at the second if duplicated.
    Arrives(Instant, Option<Instant>),
}

/// One direction of the path.
#[derive(Debug)]
pub(crate) struct Link {
    pub(crate) config: LinkConfig,
    pub(crate) rules: Vec<Rule>,
    pub(crate) stats: LinkStats,
    rng: ChaCha8Rng,
    /// Packets accepted and not yet off the bottleneck: (time the last bit leaves, bytes).
    queue: VecDeque<(Instant, usize)>,
    queue_bytes: usize,
    busy_until: Instant,
}

/// True with probability `p`, from 53 random bits.
fn chance(rng: &mut ChaCha8Rng, p: f64) -> bool {
    if p <= 0.0 {
        return false;
    }
    let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    u < p
}

impl Link {
    pub(crate) fn new(config: LinkConfig, rng: ChaCha8Rng) -> Self {
        Link {
            config,
            rules: Vec::new(),
            stats: LinkStats::default(),
            rng,
            queue: VecDeque::new(),
            queue_bytes: 0,
            busy_until: Instant::ZERO,
        }
    }

    /// RFC 3168 §5: CE only on an ECN-capable packet.
    fn mark_ce(&mut self, pkt: &mut Packet) {
        if pkt.t.ecn.is_ect() && pkt.t.ecn != crate::wire::Ecn::Ce {
            pkt.t.ecn = crate::wire::Ecn::Ce;
            self.stats.marked_ce += 1;
        }
    }

    /// Packets in the queue at `now` (the one on the wire included).
    pub(crate) fn queue_len(&self, now: Instant) -> usize {
        self.queue.iter().filter(|(end, _)| *end > now).count()
    }

    /// Decides what happens to a packet handed to the link at `now`.
    pub(crate) fn offer(&mut self, now: Instant, pkt: &mut Packet) -> Fate {
        let flags = pkt.t.header.flags;
        let index = self.stats.offered;
        let len = pkt.wire_len();
        self.stats.offered += 1;
        self.stats.bytes_offered += len as u64;
        let data_index = (!pkt.t.payload.is_empty()).then(|| {
            self.stats.data_offered += 1;
            self.stats.data_offered - 1
        });
        let action = self
            .rules
            .iter()
            .find(|r| r.picks(index, data_index, flags))
            .map(|r| r.action);
        if action == Some(Action::Drop) {
            self.stats.dropped_rule += 1;
            return Fate::Dropped(DropReason::Rule);
        }
        if action == Some(Action::MarkCe) {
            self.mark_ce(pkt);
        }

        // The bottleneck: FIFO, drop-tail.
        let mut depart = now;
        if self.config.bandwidth_bps.is_some() {
            while self.queue.front().is_some_and(|(end, _)| *end <= now) {
                let (_, b) = self.queue.pop_front().unwrap_or_default();
                self.queue_bytes -= b;
            }
            if self.queue.len() >= self.config.queue_packets
                || self.queue_bytes.saturating_add(len) > self.config.queue_bytes
            {
                self.stats.dropped_queue += 1;
                return Fate::Dropped(DropReason::QueueFull);
            }
            if self
                .config
                .mark_threshold
                .is_some_and(|k| self.queue.len() >= k)
            {
                self.mark_ce(pkt);
            }
            let start = self.busy_until.max(now);
            depart = start + self.config.serialisation_time(len);
            self.busy_until = depart;
            self.queue.push_back((depart, len));
            self.queue_bytes += len;
            self.stats.max_queue_packets = self.stats.max_queue_packets.max(self.queue.len());
            self.stats.max_queue_bytes = self.stats.max_queue_bytes.max(self.queue_bytes);
        }

        // Loss after the bottleneck: the packet used its share of the link.
        if chance(&mut self.rng, self.config.loss) {
            self.stats.dropped_loss += 1;
            return Fate::Dropped(DropReason::Loss);
        }
        let mut at = depart + self.config.delay;
        if let Some(Action::Delay(d)) = action {
            at += d;
        }
        if chance(&mut self.rng, self.config.reorder) {
            let max = self
                .config
                .reorder_delay
                .as_nanos()
                .min(u128::from(u64::MAX)) as u64;
            let extra = if max == 0 {
                0
            } else {
                self.rng.next_u64() % (max + 1)
            };
            at += Duration::from_nanos(extra);
            self.stats.reordered += 1;
        }
        let dup = action == Some(Action::Duplicate) || chance(&mut self.rng, self.config.duplicate);
        if dup {
            self.stats.duplicated += 1;
        }
        Fate::Arrives(at, dup.then_some(at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{SegmentRepr, SeqNumber};
    use rand_core::SeedableRng;

    fn pkt(data: usize, flags: TcpFlags) -> Packet {
        Packet {
            src: "192.0.2.1:1000".parse().unwrap(),
            dst: "198.51.100.1:80".parse().unwrap(),
            t: Transmit::new(
                SegmentRepr::new(1000, 80, SeqNumber(1), flags),
                alloc::vec![0; data],
            ),
        }
    }

    fn link(c: LinkConfig) -> Link {
        Link::new(c, ChaCha8Rng::seed_from_u64(1))
    }

    #[test]
    fn serialisation_queues_and_drops_tail() {
        // 1000-byte packets (20 IP + 20 TCP + 960) at 8 Mbit/s: 1 ms each.
        let mut l = link(
            LinkConfig::default()
                .delay(Duration::from_millis(5))
                .bandwidth_bps(8_000_000)
                .queue_packets(3),
        );
        let t0 = Instant::from_nanos(1_000_000_000);
        let p = pkt(960, TcpFlags::ACK);
        let ms = Duration::from_millis(1);
        let arrivals: Vec<_> = (0..4).map(|_| l.offer(t0, &mut p.clone())).collect();
        assert_eq!(arrivals[0], Fate::Arrives(t0 + ms + 5 * ms, None));
        assert_eq!(arrivals[1], Fate::Arrives(t0 + 2 * ms + 5 * ms, None));
        assert_eq!(arrivals[2], Fate::Arrives(t0 + 3 * ms + 5 * ms, None));
        assert_eq!(arrivals[3], Fate::Dropped(DropReason::QueueFull));
        assert_eq!(l.stats.max_queue_packets, 3);
        assert_eq!(l.queue_len(t0 + ms), 2);
        // Once the first has left, there is room for one more, behind the others.
        assert_eq!(
            l.offer(t0 + ms, &mut p.clone()),
            Fate::Arrives(t0 + 4 * ms + 5 * ms, None)
        );
    }

    #[test]
    fn rules_pick_by_count_and_flags() {
        let mut l = link(LinkConfig::default());
        l.rules.push(Rule::new(Select::NthData(1), Action::Drop));
        l.rules.push(Rule::new(Select::EverySyn, Action::Duplicate));
        let t = Instant::ZERO;
        let d = Duration::from_millis(10);
        assert_eq!(
            l.offer(t, &mut pkt(0, TcpFlags::SYN)),
            Fate::Arrives(t + d, Some(t + d))
        );
        assert_eq!(
            l.offer(t, &mut pkt(10, TcpFlags::ACK)),
            Fate::Arrives(t + d, None)
        );
        assert_eq!(
            l.offer(t, &mut pkt(0, TcpFlags::ACK)),
            Fate::Arrives(t + d, None)
        );
        assert_eq!(
            l.offer(t, &mut pkt(10, TcpFlags::ACK)),
            Fate::Dropped(DropReason::Rule)
        );
        assert_eq!(
            l.offer(t, &mut pkt(10, TcpFlags::ACK)),
            Fate::Arrives(t + d, None)
        );
        assert_eq!(l.stats.dropped_rule, 1);
        assert_eq!(l.stats.data_offered, 3);
    }

    #[test]
    fn random_loss_rate_is_near_the_setting() {
        let mut l = link(LinkConfig::default().loss(0.2));
        let p = pkt(100, TcpFlags::ACK);
        let lost = (0..10_000)
            .filter(|_| matches!(l.offer(Instant::ZERO, &mut p.clone()), Fate::Dropped(_)))
            .count();
        assert!(
            (1_800..2_200).contains(&lost),
            "{lost} of 10000 lost at p=0.2"
        );
    }

    #[test]
    fn reordering_delays_within_bound() {
        let max = Duration::from_millis(7);
        let mut l = link(LinkConfig::default().reorder(1.0, max));
        let p = pkt(100, TcpFlags::ACK);
        let d = Duration::from_millis(10);
        let mut later = 0;
        for _ in 0..1000 {
            let Fate::Arrives(at, None) = l.offer(Instant::ZERO, &mut p.clone()) else {
                panic!("lost or duplicated");
            };
            assert!(at >= Instant::ZERO + d && at <= Instant::ZERO + d + max);
            later += usize::from(at > Instant::ZERO + d);
        }
        assert!(later > 900);
        assert_eq!(l.stats.reordered, 1000);
    }
}
