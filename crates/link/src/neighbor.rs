//! A sans-IO IPv6 neighbour cache for one Ethernet interface: address
//! resolution and neighbour unreachability detection (RFC 4861 §7.2, §7.3,
//! Appendix C) and duplicate address detection of our own addresses
//! (RFC 4862 §5.4).

use alloc::vec::Vec;
use core::net::Ipv6Addr;

use handshake_ip::{ChecksumMode, IpProtocol, Ipv6Packet, Ipv6Repr};
use handshake_time::{Duration, Instant};

use crate::common::{frame, frame_around, victim, Bounded};
use crate::mld::{
    emit_report, Query as MldQuery, Record as MldRecord, RecordType as MldRecordType,
    ALL_MLDV2_ROUTERS, MAX_SOURCES as MLD_MAX_SOURCES, MLD_HOP_LIMIT, MLD_QUERY, ROUTER_ALERT_HBH,
};
use crate::{
    solicited_node, Error, EtherType, EthernetFrame, MacAddr, NaFlags, NdpRepr, HOP_LIMIT,
};

/// fe80::/10 (RFC 4291 §2.5.6).
fn is_link_local(a: Ipv6Addr) -> bool {
    a.segments()[0] & 0xffc0 == 0xfe80
}

/// RFC 4861 §10: MAX_MULTICAST_SOLICIT.
pub const MAX_MULTICAST_SOLICIT: u32 = 3;
/// RFC 4861 §10: MAX_UNICAST_SOLICIT.
pub const MAX_UNICAST_SOLICIT: u32 = 3;
/// RFC 4861 §10: RETRANS_TIMER, 1 s.
pub const RETRANS_TIMER: Duration = Duration::from_secs(1);
/// RFC 4861 §10: REACHABLE_TIME, 30 s (the base of ReachableTime).
pub const REACHABLE_TIME: Duration = Duration::from_secs(30);
/// RFC 4861 §10: DELAY_FIRST_PROBE_TIME, 5 s.
pub const DELAY_FIRST_PROBE_TIME: Duration = Duration::from_secs(5);
/// RFC 4861 §10: MIN_RANDOM_FACTOR, 0.5, in thousandths.
pub const MIN_RANDOM_FACTOR_PERMILLE: u16 = 500;
/// RFC 4861 §10: MAX_RANDOM_FACTOR, 1.5, in thousandths.
pub const MAX_RANDOM_FACTOR_PERMILLE: u16 = 1500;

/// How a [`NeighborCache`] behaves; [`NdpConfig::new`] gives RFC 4861
/// §10's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NdpConfig {
    /// Our link-layer address.
    pub mac: MacAddr,
    /// Entries at most: 64.
    pub capacity: usize,
    /// Packets queued per address being resolved, the latest kept: 4.
    pub queue_per_entry: usize,
    /// Frames waiting for `poll_transmit`, and events for `poll_event`: 64.
    pub outbox: usize,
    /// Multicast solicitations before resolution fails (MAX_MULTICAST_SOLICIT).
    pub max_multicast_solicit: u32,
    /// Unicast probes before an unreachable neighbour is removed (MAX_UNICAST_SOLICIT).
    pub max_unicast_solicit: u32,
    /// Time between solicitations (RetransTimer).
    pub retrans_timer: Duration,
    /// BaseReachableTime.
    pub base_reachable_time: Duration,
    /// The random factor ReachableTime is BaseReachableTime times, in
    /// thousandths, drawn by the caller uniformly from 500..=1500 (RFC 4861
    /// §6.3.2); clamped to that range.
    pub random_factor_permille: u16,
    /// DELAY_FIRST_PROBE_TIME.
    pub delay_first_probe_time: Duration,
    /// Solicitations sent for duplicate address detection (RFC 4862 §5.1
    /// DupAddrDetectTransmits, default 1; 0 turns DAD off).
    pub dup_addr_detect_transmits: u32,
    /// Whether our addresses' solicited-node groups are joined with MLDv2
    /// Reports (RFC 4861 §7.2.1, RFC 4862 §5.4.2, RFC 3810 §6): on by
    /// default; off for a link with no multicast-snooping switch to tell.
    pub mld: bool,
    /// RFC 3810 §9.11: the Unsolicited Report Interval, 1 s.
    pub unsolicited_report_interval: Duration,
    /// RFC 3810 §9.1: the Robustness Variable, 2: a join's Report is sent
    /// this many times.
    pub robustness: u8,
    /// Where in a random delay's range MLD answers and repeated Reports go,
    /// in thousandths (RFC 3810 §6.1, §6.2 draw them uniformly): drawn by
    /// the caller, as the random factor is; clamped to 0..=1000.
    pub mld_random_permille: u16,
}

impl NdpConfig {
    /// RFC 4861 §10's values for an interface with link-layer address `mac`.
    pub fn new(mac: MacAddr) -> Self {
        NdpConfig {
            mac,
            capacity: 64,
            queue_per_entry: 4,
            outbox: 64,
            max_multicast_solicit: MAX_MULTICAST_SOLICIT,
            max_unicast_solicit: MAX_UNICAST_SOLICIT,
            retrans_timer: RETRANS_TIMER,
            base_reachable_time: REACHABLE_TIME,
            random_factor_permille: 1000,
            delay_first_probe_time: DELAY_FIRST_PROBE_TIME,
            dup_addr_detect_transmits: 1,
            mld: true,
            unsolicited_report_interval: Duration::from_secs(1),
            robustness: 2,
            mld_random_permille: 500,
        }
    }

    /// The point `mld_random_permille` picks in `0..=range`.
    fn mld_delay(&self, range: Duration) -> Duration {
        range * u32::from(self.mld_random_permille.min(1000)) / 1000
    }

    /// Sets [`NdpConfig::random_factor_permille`].
    pub fn random_factor_permille(mut self, f: u16) -> Self {
        self.random_factor_permille = f;
        self
    }

    /// Sets [`NdpConfig::capacity`].
    pub fn capacity(mut self, n: usize) -> Self {
        self.capacity = n;
        self
    }

    /// Sets [`NdpConfig::mld`].
    pub fn mld(mut self, on: bool) -> Self {
        self.mld = on;
        self
    }

    /// Sets [`NdpConfig::mld_random_permille`].
    pub fn mld_random_permille(mut self, f: u16) -> Self {
        self.mld_random_permille = f;
        self
    }

    /// Sets [`NdpConfig::dup_addr_detect_transmits`].
    pub fn dup_addr_detect_transmits(mut self, n: u32) -> Self {
        self.dup_addr_detect_transmits = n;
        self
    }

    /// ReachableTime: BaseReachableTime times the random factor (RFC 4861 §6.3.2).
    pub fn reachable_time(&self) -> Duration {
        let f = self
            .random_factor_permille
            .clamp(MIN_RANDOM_FACTOR_PERMILLE, MAX_RANDOM_FACTOR_PERMILLE);
        self.base_reachable_time * u32::from(f) / 1000
    }
}

/// A neighbour's reachability state (RFC 4861 §7.3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NeighborState {
    /// Address resolution is in progress.
    Incomplete,
    /// Known reachable within the last ReachableTime.
    Reachable,
    /// Not known reachable; nothing done until traffic is sent.
    Stale,
    /// Traffic was sent while STALE; waiting for upper-layer confirmation.
    Delay,
    /// Unicast solicitations are probing reachability.
    Probe,
}

/// The state of one of our own addresses (RFC 4862 §5.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddrState {
    /// Duplicate address detection is running: not used yet.
    Tentative,
    /// Detection passed: the address is ours to use.
    Preferred,
    /// Another node uses it (RFC 4862 §5.4.5): never to be used.
    Duplicate,
}

/// What happened in a [`NeighborCache`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NdpEvent {
    /// A neighbour being resolved answered; its queued packets went out.
    Resolved {
        /// Its IPv6 address.
        addr: Ipv6Addr,
        /// Its link-layer address.
        mac: MacAddr,
    },
    /// Resolution or probing got no answer: the entry and its queue are gone.
    Failed {
        /// The neighbour's address.
        addr: Ipv6Addr,
        /// Packets dropped with it.
        dropped: usize,
    },
    /// Duplicate address detection found no other user: the address is ours.
    DadSucceeded(Ipv6Addr),
    /// Another node uses the address (RFC 4862 §5.4.5).
    DadFailed(Ipv6Addr),
}

#[derive(Debug)]
struct Neighbor {
    addr: Ipv6Addr,
    lladdr: Option<MacAddr>,
    state: NeighborState,
    /// Solicitations sent in INCOMPLETE or PROBE.
    sent: u32,
    /// When the current state's timer fires (REACHABLE, DELAY, PROBE, INCOMPLETE).
    timer: Option<Instant>,
    queue: Bounded<Vec<u8>>,
    used: Instant,
}

/// A multicast group we listen to (RFC 3810 §6), EXCLUDE mode with no
/// sources: the solicited-node group of one or more of our addresses.
#[derive(Debug)]
struct Group {
    addr: Ipv6Addr,
    /// State-change Reports still to send for the join (§6.1).
    changes_left: u8,
    /// When the next one goes.
    next_change: Option<Instant>,
    /// A pending answer to a query about this group (§6.2), and the
    /// sources it asked about (empty: the whole group).
    answer_at: Option<Instant>,
    answer_sources: Vec<Ipv6Addr>,
}

#[derive(Debug)]
struct OwnAddr {
    addr: Ipv6Addr,
    state: AddrState,
    sent: u32,
    next: Option<Instant>,
}

/// The neighbour cache of one IPv6 interface, with our own addresses.
///
/// ```
/// use core::net::Ipv6Addr;
/// use handshake_link::{AddrState, MacAddr, NdpConfig, NeighborCache};
/// use handshake_time::{Duration, Instant};
/// let mut nd = NeighborCache::new(NdpConfig::new(MacAddr([2, 0, 0, 0, 0, 2])));
/// let me: Ipv6Addr = "fe80::2".parse().unwrap();
/// nd.add_address(Instant::ZERO, me, Duration::ZERO);
/// nd.handle_timeout(Instant::ZERO);
/// // The MLDv2 Report joining ff02::1:ff00:2 (to ff02::16), then the NS from ::.
/// let join = nd.poll_transmit(Instant::ZERO).unwrap();
/// assert_eq!(&join[..6], &[0x33, 0x33, 0, 0, 0, 0x16]);
/// let dad = nd.poll_transmit(Instant::ZERO).unwrap();
/// assert_eq!(&dad[..6], &[0x33, 0x33, 0xff, 0, 0, 2]);
/// let t1 = Instant::ZERO + Duration::from_secs(1);
/// nd.handle_timeout(t1);
/// assert_eq!(nd.address_state(me), Some(AddrState::Preferred));
/// ```
#[derive(Debug)]
pub struct NeighborCache {
    config: NdpConfig,
    own: Vec<OwnAddr>,
    neighbors: Vec<Neighbor>,
    groups: Vec<Group>,
    /// A pending answer to a General Query (RFC 3810 §6.2): all groups.
    general_at: Option<Instant>,
    transmit: Bounded<Vec<u8>>,
    events: Bounded<NdpEvent>,
}

/// Our own addresses are few; more are refused.
const MAX_OWN_ADDRESSES: usize = 16;

impl NeighborCache {
    /// An empty cache with no address of ours.
    pub fn new(config: NdpConfig) -> Self {
        NeighborCache {
            config,
            own: Vec::new(),
            neighbors: Vec::new(),
            groups: Vec::new(),
            general_at: None,
            transmit: Bounded::new(config.outbox, false),
            events: Bounded::new(config.outbox, false),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &NdpConfig {
        &self.config
    }

    /// Sets the random factor of ReachableTime (RFC 4861 §6.3.2: recomputed
    /// "at least every few hours"), in thousandths.
    pub fn set_random_factor(&mut self, permille: u16) {
        self.config.random_factor_permille = permille;
    }

    /// Adds one of our addresses as tentative: duplicate address detection
    /// sends its first solicitation after `start_delay`, which the caller
    /// draws from 0..=1 s (RFC 4862 §5.4.2: a random delay up to
    /// MAX_RTR_SOLICITATION_DELAY). With DAD off it is preferred at once.
    /// Returns false when 16 addresses are configured already.
    pub fn add_address(&mut self, now: Instant, addr: Ipv6Addr, start_delay: Duration) -> bool {
        if self.own.iter().any(|o| o.addr == addr) {
            return true;
        }
        if self.own.len() >= MAX_OWN_ADDRESSES {
            return false;
        }
        let dad = self.config.dup_addr_detect_transmits > 0;
        // RFC 4862 §5.4.2: the solicited-node group is joined before the
        // first solicitation, so the join's first Report goes at the same
        // time, queued ahead of it; RFC 4861 §7.2.1 for every address.
        self.join(solicited_node(addr), now + start_delay);
        self.own.push(OwnAddr {
            addr,
            state: if dad {
                AddrState::Tentative
            } else {
                AddrState::Preferred
            },
            sent: 0,
            next: dad.then(|| now + start_delay),
        });
        true
    }

    /// The state of one of our addresses.
    pub fn address_state(&self, addr: Ipv6Addr) -> Option<AddrState> {
        self.own.iter().find(|o| o.addr == addr).map(|o| o.state)
    }

    /// The state of a neighbour's entry.
    pub fn state(&self, addr: Ipv6Addr) -> Option<NeighborState> {
        self.find(addr).map(|i| self.neighbors[i].state)
    }

    /// The link-layer address recorded for a neighbour (none while INCOMPLETE).
    pub fn lookup(&self, addr: Ipv6Addr) -> Option<MacAddr> {
        self.find(addr).and_then(|i| self.neighbors[i].lladdr)
    }

    /// Number of neighbour entries.
    pub fn len(&self) -> usize {
        self.neighbors.len()
    }

    /// True when there is no neighbour entry.
    pub fn is_empty(&self) -> bool {
        self.neighbors.is_empty()
    }

    fn find(&self, addr: Ipv6Addr) -> Option<usize> {
        self.neighbors.iter().position(|n| n.addr == addr)
    }

    fn preferred(&self, addr: Ipv6Addr) -> bool {
        self.address_state(addr) == Some(AddrState::Preferred)
    }

    /// Sends the IPv6 `packet` to the on-link `next_hop` (RFC 4861 §7.2.2,
    /// §7.3.3): framed at once when the entry has a link-layer address (a
    /// STALE entry moves to DELAY), else queued while solicitations go out.
    /// [`Error::CacheFull`] when every entry is resolving.
    pub fn send(&mut self, now: Instant, next_hop: Ipv6Addr, packet: Vec<u8>) -> Result<(), Error> {
        if let Some((mac, packet)) = self.resolve_or_queue(now, next_hop, packet)? {
            self.data_frame(mac, packet);
        }
        Ok(())
    }

    /// [`NeighborCache::send`] for a caller that writes the frame itself
    /// (the header and the packet in one vectored write, no copy): when
    /// the entry has a link-layer address, the packet comes back with it
    /// (a STALE entry moves to DELAY, as for `send`); else it is queued
    /// (and framed here once resolved) and `None`.
    pub fn resolve_or_queue(
        &mut self,
        now: Instant,
        next_hop: Ipv6Addr,
        packet: Vec<u8>,
    ) -> Result<Option<(MacAddr, Vec<u8>)>, Error> {
        let i = match self.find(next_hop) {
            Some(i) => i,
            None => {
                // RFC 4861 §7.2.2: the solicitation's source is the packet's
                // source when it is ours, else any address of ours.
                let src = Ipv6Packet::new_checked(&packet[..])
                    .map(|p| p.src_addr())
                    .ok()
                    .filter(|a| self.preferred(*a))
                    .or_else(|| self.any_preferred());
                if self.neighbors.len() >= self.config.capacity {
                    self.evict()?;
                }
                self.neighbors.push(Neighbor {
                    addr: next_hop,
                    lladdr: None,
                    state: NeighborState::Incomplete,
                    sent: 1,
                    timer: Some(now + self.config.retrans_timer),
                    queue: Bounded::new(self.config.queue_per_entry, true),
                    used: now,
                });
                self.solicit(src, next_hop, None);
                self.neighbors.len() - 1
            }
        };
        let delay = self.config.delay_first_probe_time;
        let n = &mut self.neighbors[i];
        n.used = now;
        match n.lladdr {
            None => {
                n.queue.push(packet);
                Ok(None)
            }
            Some(mac) => {
                // §7.3.3: "The first time a node sends a packet to a neighbor
                // whose entry is STALE, the sender changes the state to DELAY
                // and sets a timer to expire in DELAY_FIRST_PROBE_TIME seconds."
                if n.state == NeighborState::Stale {
                    n.state = NeighborState::Delay;
                    n.timer = Some(now + delay);
                }
                Ok(Some((mac, packet)))
            }
        }
    }

    /// Upper-layer reachability confirmation (RFC 4861 §7.3.1: e.g. new TCP
    /// acknowledgements): the neighbour becomes REACHABLE.
    pub fn confirm_reachable(&mut self, now: Instant, addr: Ipv6Addr) {
        let rt = self.config.reachable_time();
        if let Some(i) = self.find(addr) {
            let n = &mut self.neighbors[i];
            if n.lladdr.is_some() {
                n.state = NeighborState::Reachable;
                n.timer = Some(now + rt);
                n.sent = 0;
            }
        }
    }

    /// Joins `group` (RFC 3810 §6.1): [`NdpConfig::robustness`] Reports
    /// with a CHANGE_TO_EXCLUDE_MODE record, the first at `at`, the others
    /// a random part of the Unsolicited Report Interval apart. A group
    /// already joined (another address with the same low 24 bits) is not
    /// joined again.
    fn join(&mut self, group: Ipv6Addr, at: Instant) {
        if !self.config.mld || self.groups.iter().any(|g| g.addr == group) {
            return;
        }
        self.groups.push(Group {
            addr: group,
            changes_left: self.config.robustness,
            next_change: Some(at),
            answer_at: None,
            answer_sources: Vec::new(),
        });
    }

    /// The groups we listen to (the solicited-node groups of our
    /// addresses; the all-nodes group is joined too but never reported,
    /// RFC 3810 §6).
    pub fn mld_groups(&self) -> impl Iterator<Item = Ipv6Addr> + '_ {
        self.groups.iter().map(|g| g.addr)
    }

    /// RFC 3810 §5.2.13: Reports come from a link-local address of ours,
    /// or the unspecified address before we have one (during DAD).
    fn mld_source(&self) -> Ipv6Addr {
        self.own
            .iter()
            .find(|o| o.state == AddrState::Preferred && is_link_local(o.addr))
            .map_or(Ipv6Addr::UNSPECIFIED, |o| o.addr)
    }

    /// Sends one MLDv2 Report (RFC 3810 §5.2) to all MLDv2 routers with
    /// hop limit 1 and the Router Alert option (§5).
    fn report(&mut self, records: &[MldRecord]) {
        let src = self.mld_source();
        let dst = ALL_MLDV2_ROUTERS;
        let msg = emit_report(records, src, dst);
        let mut ip = Ipv6Repr::new(
            src,
            dst,
            IpProtocol::HOP_BY_HOP,
            ROUTER_ALERT_HBH.len() + msg.len(),
        );
        ip.hop_limit = MLD_HOP_LIMIT;
        let f = frame(
            MacAddr::ipv6_multicast(dst),
            self.config.mac,
            EtherType::IPV6,
            ip.buffer_len(),
            |b| {
                if let Ok(hl) = ip.emit(b) {
                    b[hl..hl + 8].copy_from_slice(&ROUTER_ALERT_HBH);
                    b[hl + 8..].copy_from_slice(&msg);
                }
            },
        );
        self.transmit.push(f);
    }

    /// A Multicast Listener Query (RFC 3810 §6.2), already checked. A
    /// General Query schedules one answer for every group, a
    /// group-specific one for that group if we listen to it, each at a
    /// random point of the Maximum Response Delay, unless one is due
    /// sooner.
    fn on_query(&mut self, now: Instant, q: MldQuery) {
        let at = now
            + self
                .config
                .mld_delay(Duration::from_millis(u64::from(q.max_response_ms)));
        let sooner = |t: Option<Instant>| Some(t.map_or(at, |t| t.min(at)));
        if q.group.is_unspecified() {
            self.general_at = sooner(self.general_at);
        } else if let Some(g) = self.groups.iter_mut().find(|g| g.addr == q.group) {
            g.answer_at = sooner(g.answer_at);
            if g.answer_sources.is_empty() || q.sources.is_empty() {
                // A query about the whole group: the whole group's answer.
                g.answer_sources.clear();
            }
            for s in q.sources.iter().take(MLD_MAX_SOURCES) {
                if g.answer_sources.len() < MLD_MAX_SOURCES && !g.answer_sources.contains(s) {
                    g.answer_sources.push(*s);
                }
            }
        }
    }

    /// MLD's timers: the join's repeated Reports (§6.1) and the answers
    /// to queries (§6.2), one Report per due instant.
    fn mld_timers(&mut self, now: Instant) {
        let mut records = Vec::new();
        let general = self.general_at.is_some_and(|t| t <= now);
        if general {
            self.general_at = None;
        }
        let interval = self.config.unsolicited_report_interval;
        let later = now + self.config.mld_delay(interval);
        for g in &mut self.groups {
            if g.next_change.is_some_and(|t| t <= now) && g.changes_left > 0 {
                records.push(MldRecord {
                    kind: MldRecordType::ChangeToExclude,
                    group: g.addr,
                    sources: Vec::new(),
                });
                g.changes_left -= 1;
                g.next_change = (g.changes_left > 0).then_some(later);
            }
            let asked = g.answer_at.is_some_and(|t| t <= now);
            if general || asked {
                // §6.3: in EXCLUDE mode with no excluded source, a query
                // about sources is answered IS_IN(those sources), one about
                // the group IS_EX({}).
                let sources = if asked && !general {
                    core::mem::take(&mut g.answer_sources)
                } else {
                    g.answer_sources.clear();
                    Vec::new()
                };
                let kind = if sources.is_empty() {
                    MldRecordType::ModeIsExclude
                } else {
                    MldRecordType::ModeIsInclude
                };
                records.push(MldRecord {
                    kind,
                    group: g.addr,
                    sources,
                });
                g.answer_at = None;
            }
        }
        if !records.is_empty() {
            self.report(&records);
        }
    }

    fn any_preferred(&self) -> Option<Ipv6Addr> {
        self.own
            .iter()
            .find(|o| o.state == AddrState::Preferred)
            .map(|o| o.addr)
    }

    fn evict(&mut self) -> Result<(), Error> {
        let i = victim(&self.neighbors, |n| {
            (n.state != NeighborState::Incomplete).then_some(n.used)
        })
        .ok_or(Error::CacheFull)?;
        self.neighbors.swap_remove(i);
        Ok(())
    }

    fn data_frame(&mut self, mac: MacAddr, packet: Vec<u8>) {
        let f = frame_around(mac, self.config.mac, EtherType::IPV6, packet);
        self.transmit.push(f);
    }

    /// Frames an ND message in IPv6 with hop limit 255 (RFC 4861 §7.1).
    fn nd_frame(&mut self, dst_mac: MacAddr, src: Ipv6Addr, dst: Ipv6Addr, nd: NdpRepr) {
        let mut ip = Ipv6Repr::new(src, dst, IpProtocol::ICMPV6, nd.buffer_len());
        ip.hop_limit = HOP_LIMIT;
        let f = frame(
            dst_mac,
            self.config.mac,
            EtherType::IPV6,
            ip.buffer_len(),
            |b| {
                if let Ok(hl) = ip.emit(b) {
                    let _ = nd.emit(&mut b[hl..], src, dst);
                }
            },
        );
        self.transmit.push(f);
    }

    /// A solicitation for `target`: multicast to its solicited-node address
    /// when `unicast` is `None` (resolution), else to the cached address
    /// (a NUD probe). `src` `None` is the unspecified address (DAD, which
    /// sends no source link-layer option: RFC 4861 §4.3).
    fn solicit(&mut self, src: Option<Ipv6Addr>, target: Ipv6Addr, unicast: Option<MacAddr>) {
        let src_ip = src.unwrap_or(Ipv6Addr::UNSPECIFIED);
        let (dst_mac, dst_ip) = match unicast {
            Some(mac) => (mac, target),
            None => {
                let group = solicited_node(target);
                (MacAddr::ipv6_multicast(group), group)
            }
        };
        let ns = NdpRepr::NeighborSolicit {
            target_addr: target,
            source_lladdr: src.map(|_| self.config.mac),
        };
        self.nd_frame(dst_mac, src_ip, dst_ip, ns);
    }

    /// Takes an Ethernet frame: neighbour solicitations and advertisements
    /// are processed, everything else is left alone (`Ok`). A malformed or
    /// invalid ND message (RFC 4861 §7.1) is an error and changes nothing.
    pub fn handle_frame(&mut self, now: Instant, bytes: &[u8]) -> Result<(), Error> {
        let f = EthernetFrame::new_checked(bytes)?;
        // Our own multicast looped back is not another node.
        if f.ethertype() != EtherType::IPV6 || f.src_addr() == self.config.mac {
            return Ok(());
        }
        let ip = Ipv6Packet::new_checked(f.payload())?;
        let upper = ip.upper_layer()?;
        if upper.protocol == IpProtocol::ICMPV6
            && upper.payload.first() == Some(&MLD_QUERY)
            && self.config.mld
        {
            let src = ip.src_addr();
            // RFC 3810 §5.1.14: "If a node ... receives a Query message with
            // the IPv6 Source Address set to the unspecified address (::),
            // or any other address that is not a valid IPv6 link-local
            // address, it MUST silently discard the message"; §5: sent
            // with hop limit 1, so any other crossed a router.
            if !is_link_local(src) {
                return Err(Error::MldSource(src));
            }
            if ip.hop_limit() != MLD_HOP_LIMIT {
                return Err(Error::MldHopLimit(ip.hop_limit()));
            }
            let q = MldQuery::parse(upper.payload, src, ip.dst_addr())?;
            self.on_query(now, q);
            return Ok(());
        }
        let is_nd = upper.protocol == IpProtocol::ICMPV6
            && matches!(upper.payload.first(), Some(135 | 136));
        if !is_nd {
            return Ok(());
        }
        let nd = NdpRepr::parse_ipv6(&ip, ChecksumMode::Verify)?;
        let src = ip.src_addr();
        match nd {
            NdpRepr::NeighborSolicit {
                target_addr,
                source_lladdr,
            } => self.on_solicit(now, src, f.src_addr(), target_addr, source_lladdr),
            NdpRepr::NeighborAdvert {
                flags,
                target_addr,
                target_lladdr,
            } => self.on_advert(now, flags, target_addr, target_lladdr),
        }
        Ok(())
    }

    /// RFC 4861 §7.2.3 and RFC 4862 §5.4.3.
    fn on_solicit(
        &mut self,
        now: Instant,
        src: Ipv6Addr,
        frame_src: MacAddr,
        target: Ipv6Addr,
        source_lladdr: Option<MacAddr>,
    ) {
        let Some(own) = self.own.iter_mut().find(|o| o.addr == target) else {
            // §7.2.3: a target that is not ours is silently discarded.
            return;
        };
        match own.state {
            AddrState::Tentative => {
                // RFC 4862 §5.4.3: an NS for a tentative address from the
                // unspecified address is another node's DAD: a duplicate.
                // From a unicast source it is address resolution by a node
                // that will not get an answer: silently ignored.
                if src.is_unspecified() {
                    self.duplicate(target);
                }
                return;
            }
            AddrState::Duplicate => return,
            AddrState::Preferred => {}
        }
        if !src.is_unspecified() {
            if let Some(mac) = source_lladdr {
                self.learn_from_solicit(now, src, mac);
            }
        }
        // §7.2.4: the advertisement. To the unspecified address' sender it
        // goes to all-nodes with Solicited clear; otherwise unicast back with
        // Solicited set. Override is set: the target is not an anycast address.
        let (dst_ip, dst_mac, solicited) = if src.is_unspecified() {
            let all_nodes = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
            (all_nodes, MacAddr::ipv6_multicast(all_nodes), false)
        } else {
            (src, source_lladdr.unwrap_or(frame_src), true)
        };
        let na = NdpRepr::NeighborAdvert {
            flags: NaFlags {
                router: false,
                solicited,
                override_: true,
            },
            target_addr: target,
            target_lladdr: Some(self.config.mac),
        };
        self.nd_frame(dst_mac, target, dst_ip, na);
    }

    /// §7.2.3: "If an entry does not already exist, the node SHOULD create a
    /// new one and set its reachability state to STALE ... If an entry
    /// already exists, and the cached link-layer address differs ..., the
    /// entry's reachability state MUST be set to STALE."
    fn learn_from_solicit(&mut self, now: Instant, src: Ipv6Addr, mac: MacAddr) {
        match self.find(src) {
            Some(i) => {
                if self.neighbors[i].lladdr != Some(mac) {
                    self.set_lladdr(i, mac, NeighborState::Stale, None);
                }
            }
            None => {
                if self.neighbors.len() >= self.config.capacity && self.evict().is_err() {
                    return;
                }
                self.neighbors.push(Neighbor {
                    addr: src,
                    lladdr: Some(mac),
                    state: NeighborState::Stale,
                    sent: 0,
                    timer: None,
                    queue: Bounded::new(0, true),
                    used: now,
                });
            }
        }
    }

    /// Records a link-layer address and state; a resolving entry sends its queue.
    fn set_lladdr(&mut self, i: usize, mac: MacAddr, state: NeighborState, timer: Option<Instant>) {
        let n = &mut self.neighbors[i];
        let was_incomplete = n.state == NeighborState::Incomplete;
        n.lladdr = Some(mac);
        n.state = state;
        n.timer = timer;
        n.sent = 0;
        if was_incomplete {
            let addr = n.addr;
            let queued: Vec<Vec<u8>> = n.queue.drain().collect();
            for p in queued {
                self.data_frame(mac, p);
            }
            self.events.push(NdpEvent::Resolved { addr, mac });
        }
    }

    /// RFC 4861 §7.2.5 and RFC 4862 §5.4.4.
    fn on_advert(
        &mut self,
        now: Instant,
        flags: NaFlags,
        target: Ipv6Addr,
        lladdr: Option<MacAddr>,
    ) {
        if let Some(own) = self.own.iter().find(|o| o.addr == target) {
            // RFC 4862 §5.4.4: an NA for a tentative address: a duplicate.
            if own.state == AddrState::Tentative {
                self.duplicate(target);
            }
            return;
        }
        // §7.2.5: "If no entry exists, the advertisement SHOULD be silently discarded."
        let Some(i) = self.find(target) else {
            return;
        };
        let reachable = Some(now + self.config.reachable_time());
        let n = &self.neighbors[i];
        if n.state == NeighborState::Incomplete {
            // §7.2.5: without a target link-layer address, nothing to record.
            let Some(mac) = lladdr else { return };
            // "If the advertisement's Solicited flag is set, the state of the
            // entry is set to REACHABLE; otherwise, it is set to STALE."
            if flags.solicited {
                self.set_lladdr(i, mac, NeighborState::Reachable, reachable);
            } else {
                self.set_lladdr(i, mac, NeighborState::Stale, None);
            }
            return;
        }
        let differs = lladdr.is_some_and(|m| Some(m) != n.lladdr);
        if !flags.override_ && differs {
            // §7.2.5 (a): REACHABLE becomes STALE, nothing else changes;
            // (b): otherwise the advertisement MUST NOT update the cache.
            if n.state == NeighborState::Reachable {
                let n = &mut self.neighbors[i];
                n.state = NeighborState::Stale;
                n.timer = None;
            }
            return;
        }
        let n = &mut self.neighbors[i];
        if let Some(mac) = lladdr {
            n.lladdr = Some(mac);
        }
        // "If the Solicited flag is set, the state of the entry MUST be set to
        // REACHABLE. If the Solicited flag is zero and the link-layer address
        // was updated with a different address, the state MUST be set to
        // STALE. Otherwise, the entry's state remains unchanged."
        if flags.solicited {
            n.state = NeighborState::Reachable;
            n.timer = reachable;
            n.sent = 0;
        } else if differs {
            n.state = NeighborState::Stale;
            n.timer = None;
        }
    }

    /// RFC 4862 §5.4.5: the address is a duplicate and is not used.
    fn duplicate(&mut self, addr: Ipv6Addr) {
        if let Some(o) = self.own.iter_mut().find(|o| o.addr == addr) {
            o.state = AddrState::Duplicate;
            o.next = None;
            self.events.push(NdpEvent::DadFailed(addr));
        }
    }

    /// The next frame to send.
    pub fn poll_transmit(&mut self, now: Instant) -> Option<Vec<u8>> {
        let _ = now;
        self.transmit.pop()
    }

    /// When [`NeighborCache::handle_timeout`] has work.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let own = self.own.iter().filter_map(|o| o.next);
        let groups = self
            .groups
            .iter()
            .flat_map(|g| [g.next_change, g.answer_at])
            .flatten();
        self.neighbors
            .iter()
            .filter_map(|n| n.timer)
            .chain(own)
            .chain(groups)
            .chain(self.general_at)
            .min()
    }

    /// Runs the timers: solicitation retransmission and failure
    /// (INCOMPLETE, PROBE), REACHABLE to STALE, DELAY to PROBE, and the
    /// duplicate address detection of tentative addresses.
    pub fn handle_timeout(&mut self, now: Instant) {
        // The join's Report before the first DAD solicitation (RFC 4862 §5.4.2).
        self.mld_timers(now);
        self.dad_timers(now);
        let mut i = 0;
        while i < self.neighbors.len() {
            if self.neighbors[i].timer.is_some_and(|t| t <= now) && self.neighbor_timer(now, i) {
                continue;
            }
            i += 1;
        }
    }

    /// Fires entry `i`'s timer; true when the entry was removed.
    fn neighbor_timer(&mut self, now: Instant, i: usize) -> bool {
        let retrans = self.config.retrans_timer;
        let src = self.any_preferred();
        let n = &mut self.neighbors[i];
        let (addr, lladdr) = (n.addr, n.lladdr);
        match n.state {
            NeighborState::Incomplete | NeighborState::Probe => {
                let max = if n.state == NeighborState::Incomplete {
                    self.config.max_multicast_solicit
                } else {
                    self.config.max_unicast_solicit
                };
                // §7.3.3 / §7.2.2: after MAX_*_SOLICIT solicitations and one
                // more RetransTimer without an answer, the entry is deleted.
                if n.sent >= max {
                    let dropped = n.queue.len();
                    self.neighbors.swap_remove(i);
                    self.events.push(NdpEvent::Failed { addr, dropped });
                    return true;
                }
                n.sent += 1;
                n.timer = Some(now + retrans);
                let unicast = if n.state == NeighborState::Probe {
                    lladdr
                } else {
                    None
                };
                self.solicit(src, addr, unicast);
            }
            // §7.3.3: "a REACHABLE entry ... reverts to STALE" after ReachableTime.
            NeighborState::Reachable => {
                n.state = NeighborState::Stale;
                n.timer = None;
            }
            // §7.3.3: "If the entry is still in the DELAY state when the timer
            // expires, the entry's state changes to PROBE" and a unicast
            // solicitation goes out, repeated every RetransTimer.
            NeighborState::Delay => {
                n.state = NeighborState::Probe;
                n.sent = 1;
                n.timer = Some(now + retrans);
                self.solicit(src, addr, lladdr);
            }
            NeighborState::Stale => n.timer = None,
        }
        false
    }

    /// RFC 4862 §5.4.2: DupAddrDetectTransmits solicitations from the
    /// unspecified address, RetransTimer apart; no conflict RetransTimer
    /// after the last one, and the address is preferred.
    fn dad_timers(&mut self, now: Instant) {
        let (n, retrans) = (
            self.config.dup_addr_detect_transmits,
            self.config.retrans_timer,
        );
        let mut send = Vec::new();
        for o in &mut self.own {
            if o.state != AddrState::Tentative || o.next.is_none_or(|t| t > now) {
                continue;
            }
            if o.sent < n {
                o.sent += 1;
                o.next = Some(now + retrans);
                send.push(o.addr);
            } else {
                o.state = AddrState::Preferred;
                o.next = None;
                self.events.push(NdpEvent::DadSucceeded(o.addr));
            }
        }
        for addr in send {
            self.solicit(None, addr, None);
        }
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<NdpEvent> {
        self.events.pop()
    }
}
