//! A sans-IO ARP cache for one Ethernet interface with one IPv4 address
//! (RFC 826, RFC 1122 §2.3.2).

use alloc::vec::Vec;
use core::net::Ipv4Addr;

use handshake_time::{Duration, Instant};

use crate::arp::PACKET_LEN;
use crate::common::{frame, frame_around, victim, Bounded};
use crate::{ArpOperation, ArpPacket, ArpRepr, Error, EtherType, EthernetFrame, MacAddr};

/// How an [`ArpCache`] behaves; [`ArpConfig::new`] gives the defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArpConfig {
    /// Our hardware address.
    pub mac: MacAddr,
    /// Our protocol address.
    pub addr: Ipv4Addr,
    /// Entries at most (resolved and resolving): 64.
    pub capacity: usize,
    /// Packets queued per address being resolved, the latest kept: 4.
    pub queue_per_entry: usize,
    /// Frames waiting for `poll_transmit`, and events for `poll_event`: 64.
    pub outbox: usize,
    /// How long a resolved entry lives without being refreshed: 60 s
    /// (RFC 1122 §2.3.2.1: entries time out).
    pub entry_timeout: Duration,
    /// Time between two requests for one address: 1 s (RFC 1122 §2.3.2.1:
    /// "The recommended maximum rate is 1 per second per destination").
    pub request_interval: Duration,
    /// Requests for one address before it is given up: 3.
    pub max_requests: u32,
}

impl ArpConfig {
    /// The defaults for an interface with address `mac` and `addr`.
    pub fn new(mac: MacAddr, addr: Ipv4Addr) -> Self {
        ArpConfig {
            mac,
            addr,
            capacity: 64,
            queue_per_entry: 4,
            outbox: 64,
            entry_timeout: Duration::from_secs(60),
            request_interval: Duration::from_secs(1),
            max_requests: 3,
        }
    }

    /// Sets [`ArpConfig::capacity`].
    pub fn capacity(mut self, n: usize) -> Self {
        self.capacity = n;
        self
    }

    /// Sets [`ArpConfig::entry_timeout`].
    pub fn entry_timeout(mut self, d: Duration) -> Self {
        self.entry_timeout = d;
        self
    }

    /// Sets [`ArpConfig::queue_per_entry`].
    pub fn queue_per_entry(mut self, n: usize) -> Self {
        self.queue_per_entry = n;
        self
    }
}

/// What happened in an [`ArpCache`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArpEvent {
    /// An address we asked for answered; its queued packets went out.
    Resolved {
        /// The protocol address.
        addr: Ipv4Addr,
        /// Its hardware address.
        mac: MacAddr,
    },
    /// No reply after every request: the entry and its queued packets are gone.
    Failed {
        /// The protocol address.
        addr: Ipv4Addr,
        /// Packets dropped with it.
        dropped: usize,
    },
    /// Another host claims our address (RFC 5227 §2.4: an ARP packet whose
    /// sender protocol address is ours, from another hardware address).
    Conflict {
        /// The other host's hardware address.
        mac: MacAddr,
    },
}

#[derive(Debug)]
enum State {
    Incomplete {
        requests: u32,
        next: Instant,
        queue: Bounded<Vec<u8>>,
    },
    Resolved {
        mac: MacAddr,
        expires: Instant,
    },
}

#[derive(Debug)]
struct Entry {
    addr: Ipv4Addr,
    state: State,
    used: Instant,
}

/// The ARP cache of one interface.
///
/// Entries are created only for addresses we resolve ([`ArpCache::send`])
/// and, as RFC 826's merge algorithm says, for the sender of a request whose
/// target is our address; any other packet (a reply we did not ask for, a
/// gratuitous ARP) only updates an entry that exists. A flood of replies we never asked for therefore changes nothing,
/// and every queue is bounded by [`ArpConfig`].
///
/// ```
/// use core::net::Ipv4Addr;
/// use handshake_link::{ArpCache, ArpConfig, MacAddr};
/// use handshake_time::Instant;
/// let mut arp = ArpCache::new(ArpConfig::new(MacAddr([2, 0, 0, 0, 0, 2]), Ipv4Addr::new(192, 0, 2, 2)));
/// arp.send(Instant::ZERO, Ipv4Addr::new(192, 0, 2, 1), vec![0x45; 20]).unwrap();
/// let request = arp.poll_transmit(Instant::ZERO).unwrap();
/// assert_eq!(&request[..6], &[0xff; 6]); // broadcast
/// assert_eq!(arp.poll_timeout(), Some(Instant::ZERO + core::time::Duration::from_secs(1)));
/// ```
#[derive(Debug)]
pub struct ArpCache {
    config: ArpConfig,
    entries: Vec<Entry>,
    transmit: Bounded<Vec<u8>>,
    events: Bounded<ArpEvent>,
}

impl ArpCache {
    /// An empty cache.
    pub fn new(config: ArpConfig) -> Self {
        ArpCache {
            config,
            entries: Vec::new(),
            transmit: Bounded::new(config.outbox, false),
            events: Bounded::new(config.outbox, false),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &ArpConfig {
        &self.config
    }

    /// Number of entries, resolved or not.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there is no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The hardware address of `addr`, if resolved and not expired.
    pub fn lookup(&self, now: Instant, addr: Ipv4Addr) -> Option<MacAddr> {
        match self.find(addr).map(|i| &self.entries[i].state) {
            Some(&State::Resolved { mac, expires }) if now < expires => Some(mac),
            _ => None,
        }
    }

    /// True while `addr` is being resolved.
    pub fn is_resolving(&self, addr: Ipv4Addr) -> bool {
        self.find(addr)
            .is_some_and(|i| matches!(self.entries[i].state, State::Incomplete { .. }))
    }

    /// Frames dropped because the caller did not poll them out in time.
    pub fn dropped_frames(&self) -> u64 {
        self.transmit.dropped()
    }

    fn find(&self, addr: Ipv4Addr) -> Option<usize> {
        self.entries.iter().position(|e| e.addr == addr)
    }

    /// Sends the IPv4 `packet` to the on-link `next_hop`: framed at once if
    /// its hardware address is known, else queued while a request goes out.
    /// [`Error::CacheFull`] when every entry is still resolving.
    pub fn send(&mut self, now: Instant, next_hop: Ipv4Addr, packet: Vec<u8>) -> Result<(), Error> {
        if let Some((mac, packet)) = self.resolve_or_queue(now, next_hop, packet)? {
            let me = self.config.mac;
            self.transmit
                .push(frame_around(mac, me, EtherType::IPV4, packet));
        }
        Ok(())
    }

    /// [`ArpCache::send`] for a caller that writes the frame itself (the
    /// header and the packet in one vectored write, no copy): when
    /// `next_hop`'s hardware address is known, the packet comes back with
    /// it; else it is queued (and framed here once resolved) and `None`.
    pub fn resolve_or_queue(
        &mut self,
        now: Instant,
        next_hop: Ipv4Addr,
        packet: Vec<u8>,
    ) -> Result<Option<(MacAddr, Vec<u8>)>, Error> {
        let i = match self.find(next_hop) {
            Some(i) => i,
            None => {
                if self.entries.len() >= self.config.capacity {
                    self.evict()?;
                }
                self.entries.push(Entry {
                    addr: next_hop,
                    state: State::Incomplete {
                        requests: 1,
                        next: now + self.config.request_interval,
                        queue: Bounded::new(self.config.queue_per_entry, true),
                    },
                    used: now,
                });
                self.request(next_hop);
                self.entries.len() - 1
            }
        };
        let e = &mut self.entries[i];
        e.used = now;
        match &mut e.state {
            State::Resolved { mac, .. } => Ok(Some((*mac, packet))),
            // RFC 1122 §2.3.2.2: queue while resolving, keeping the latest.
            State::Incomplete { queue, .. } => {
                queue.push(packet);
                Ok(None)
            }
        }
    }

    /// Makes room for one entry: drops the least recently used resolved one.
    fn evict(&mut self) -> Result<(), Error> {
        let i = victim(&self.entries, |e| {
            matches!(e.state, State::Resolved { .. }).then_some(e.used)
        })
        .ok_or(Error::CacheFull)?;
        self.entries.swap_remove(i);
        Ok(())
    }

    fn arp_frame(&mut self, dst: MacAddr, arp: ArpRepr) {
        let f = frame(dst, self.config.mac, EtherType::ARP, PACKET_LEN, |b| {
            let _ = arp.emit(b);
        });
        self.transmit.push(f);
    }

    /// A broadcast request for `addr` (RFC 826: ar$tha is "not set": zeros).
    fn request(&mut self, addr: Ipv4Addr) {
        let arp = ArpRepr {
            operation: ArpOperation::Request,
            source_hardware_addr: self.config.mac,
            source_protocol_addr: self.config.addr,
            target_hardware_addr: MacAddr::UNSPECIFIED,
            target_protocol_addr: addr,
        };
        self.arp_frame(MacAddr::BROADCAST, arp);
    }

    /// Takes an Ethernet frame: ARP packets are processed, every other
    /// EtherType is left alone (`Ok`). Malformed ARP is an error and changes
    /// nothing.
    pub fn handle_frame(&mut self, now: Instant, bytes: &[u8]) -> Result<(), Error> {
        let f = EthernetFrame::new_checked(bytes)?;
        if f.ethertype() != EtherType::ARP {
            return Ok(());
        }
        let arp = ArpRepr::parse(&ArpPacket::new_checked(f.payload())?)?;
        self.handle_arp(now, &arp);
        Ok(())
    }

    /// RFC 826's packet reception algorithm for a parsed packet.
    pub fn handle_arp(&mut self, now: Instant, arp: &ArpRepr) {
        let (spa, sha) = (arp.source_protocol_addr, arp.source_hardware_addr);
        // A sender claiming a group or zero hardware address is bogus: an
        // entry with it would send our unicast traffic everywhere or nowhere.
        if !sha.is_unicast() || sha == self.config.mac {
            return;
        }
        if spa == self.config.addr {
            // RFC 5227 §2.4: someone else uses our address.
            self.events.push(ArpEvent::Conflict { mac: sha });
            return;
        }
        // RFC 826: "If the pair <protocol type, sender protocol address> is
        // already in my translation table, update the sender hardware
        // address field of the entry with the new information in the packet
        // and set Merge_flag to true." Sender 0.0.0.0 (an RFC 5227 probe)
        // is nobody's address.
        let mut merged = false;
        if !spa.is_unspecified() {
            if let Some(i) = self.find(spa) {
                merged = true;
                self.resolve(now, i, sha);
            }
        }
        // RFC 826: "?Am I the target protocol address?" -- if not, stop.
        if arp.target_protocol_addr != self.config.addr {
            return;
        }
        // RFC 826: "If Merge_flag is false, add the triplet ... to the
        // translation table". We do so for requests only: the requester is
        // about to talk to us. A reply we did not ask for creates nothing
        // (as Linux with arp_accept=0), so a flood of bogus replies cannot
        // fill the table; and a full table of resolving entries stays as it is.
        if !merged && !spa.is_unspecified() && arp.operation == ArpOperation::Request {
            if self.entries.len() >= self.config.capacity {
                let _ = self.evict();
            }
            if self.entries.len() < self.config.capacity {
                self.entries.push(Entry {
                    addr: spa,
                    state: State::Resolved {
                        mac: sha,
                        expires: now + self.config.entry_timeout,
                    },
                    used: now,
                });
            }
        }
        // RFC 826: "?Is the opcode ares_op$REQUEST? ... swap hardware and
        // protocol fields, putting the local hardware and protocol addresses
        // in the sender fields. Set the ar$op field to ares_op$REPLY. Send
        // the packet to the (new) target hardware address."
        if arp.operation == ArpOperation::Request {
            let reply = ArpRepr {
                operation: ArpOperation::Reply,
                source_hardware_addr: self.config.mac,
                source_protocol_addr: self.config.addr,
                target_hardware_addr: sha,
                target_protocol_addr: spa,
            };
            self.arp_frame(sha, reply);
        }
    }

    /// Records `mac` for entry `i`: a resolving entry sends its queue.
    fn resolve(&mut self, now: Instant, i: usize, mac: MacAddr) {
        let expires = now + self.config.entry_timeout;
        let e = &mut self.entries[i];
        let old = core::mem::replace(&mut e.state, State::Resolved { mac, expires });
        if let State::Incomplete { mut queue, .. } = old {
            let addr = e.addr;
            let me = self.config.mac;
            for p in queue.drain() {
                self.transmit
                    .push(frame_around(mac, me, EtherType::IPV4, p));
            }
            self.events.push(ArpEvent::Resolved { addr, mac });
        }
    }

    /// The next frame to send.
    pub fn poll_transmit(&mut self, now: Instant) -> Option<Vec<u8>> {
        let _ = now;
        self.transmit.pop()
    }

    /// When [`ArpCache::handle_timeout`] has work: the next request or expiry.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.entries
            .iter()
            .map(|e| match e.state {
                State::Incomplete { next, .. } => next,
                State::Resolved { expires, .. } => expires,
            })
            .min()
    }

    /// Repeats requests that went unanswered (one per interval, RFC 1122
    /// §2.3.2.1), gives up after [`ArpConfig::max_requests`], and removes
    /// expired entries.
    pub fn handle_timeout(&mut self, now: Instant) {
        let mut i = 0;
        while i < self.entries.len() {
            let addr = self.entries[i].addr;
            match &mut self.entries[i].state {
                State::Resolved { expires, .. } if *expires <= now => {
                    self.entries.swap_remove(i);
                    continue;
                }
                State::Incomplete {
                    requests,
                    next,
                    queue,
                } if *next <= now => {
                    if *requests >= self.config.max_requests {
                        let dropped = queue.len();
                        self.entries.swap_remove(i);
                        self.events.push(ArpEvent::Failed { addr, dropped });
                        continue;
                    }
                    *requests += 1;
                    *next = now + self.config.request_interval;
                    self.request(addr);
                }
                _ => {}
            }
            i += 1;
        }
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<ArpEvent> {
        self.events.pop()
    }
}
