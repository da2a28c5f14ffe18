//! Fault injection on the wire between the kernel and our stack.
//!
//! A [`Faults`] set holds [`Rule`]s; each packet crossing the TUN device in
//! either [`Dir`]ection is shown to the rules in order and the first that
//! selects it decides its [`Action`]. Selection is by the packet's TCP
//! header: the Nth data segment in a direction, every SYN, everything, or a
//! random fraction drawn from a seeded RNG (so a run replays).
//!
//! ```
//! use handshake_io::fault::{Action, Dir, Faults, Rule, Select};
//! let mut f = Faults::new(7);
//! f.add(Rule::new(Dir::ToKernel, Select::NthData(3), Action::Drop));
//! ```

use std::time::Duration;

use rand::{Rng, SeedableRng};

/// Which way a packet travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dir {
    /// From our stack into the kernel (written to the TUN device).
    ToKernel,
    /// From the kernel to our stack (read from the TUN device).
    ToUs,
}

/// Which packets a rule applies to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Select {
    /// The Nth segment carrying data in this direction, counting from 1,
    /// the first time it is sent (a retransmission of the same bytes is not
    /// selected again).
    NthData(u32),
    /// Every segment with SYN set.
    EverySyn,
    /// Every segment with SYN and ACK set (SYN-ACKs).
    EverySynAck,
    /// Every packet.
    All,
    /// Each packet with this probability, from the set's seeded RNG.
    Fraction(f64),
}

/// What happens to a selected packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// It is lost.
    Drop,
    /// It arrives this much later.
    Delay(Duration),
    /// It arrives twice.
    Duplicate,
    /// It is held back and arrives just after the next packet in the same
    /// direction (or after 200 ms if none comes).
    Reorder,
    /// Its last data byte is flipped (XOR 0xff) and the TCP checksum made
    /// right again, as an attacker on the path would: the receiver's TCP
    /// cannot tell, only a MAC above it can. A segment without data passes
    /// unchanged.
    Tamper,
    /// Congestion Experienced is set in its IPv4 ECN field (header
    /// checksum made right), as a router marks instead of dropping (RFC
    /// 3168 §5); only an ECN-capable (ECT) packet is marked, a Not-ECT one
    /// passes unchanged.
    MarkCe,
}

/// One rule: a direction, a selection and an action, applied at most
/// `limit` times (unbounded by default).
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Direction the rule watches.
    pub dir: Dir,
    /// Which packets it picks.
    pub select: Select,
    /// What it does to them.
    pub action: Action,
    /// How many times it may fire.
    pub limit: u64,
    fired: u64,
}

impl Rule {
    /// A rule with no limit on how often it fires.
    pub fn new(dir: Dir, select: Select, action: Action) -> Rule {
        Rule {
            dir,
            select,
            action,
            limit: u64::MAX,
            fired: 0,
        }
    }

    /// The same rule firing at most `n` times.
    pub fn times(mut self, n: u64) -> Rule {
        self.limit = n;
        self
    }

    /// How many times it has fired.
    pub fn fired(&self) -> u64 {
        self.fired
    }
}

/// What the TCP header of a packet says, for selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PacketInfo {
    /// SYN is set.
    pub syn: bool,
    /// ACK is set.
    pub ack: bool,
    /// The sequence number.
    pub seq: u32,
    /// Payload length.
    pub data_len: usize,
}

impl PacketInfo {
    /// Reads the flags, sequence number and payload length of an IPv4/TCP
    /// or IPv6/TCP datagram without validating it; `None` if it is not one.
    pub fn of(packet: &[u8]) -> Option<PacketInfo> {
        let tcp = match packet.first()? >> 4 {
            4 => {
                let ihl = usize::from(*packet.first()? & 0x0f) * 4;
                if *packet.get(9)? != 6 || ihl < 20 {
                    return None;
                }
                let total = usize::from(u16::from_be_bytes([*packet.get(2)?, *packet.get(3)?]));
                packet.get(ihl..total.min(packet.len()))?
            }
            // TCP right after the fixed header, as both stacks send it.
            6 => {
                if *packet.get(6)? != 6 {
                    return None;
                }
                let len = usize::from(u16::from_be_bytes([*packet.get(4)?, *packet.get(5)?]));
                packet.get(40..(40 + len).min(packet.len()))?
            }
            _ => return None,
        };
        let doff = usize::from(*tcp.get(12)? >> 4) * 4;
        let flags = *tcp.get(13)?;
        Some(PacketInfo {
            syn: flags & 0x02 != 0,
            ack: flags & 0x10 != 0,
            seq: u32::from_be_bytes([tcp[4], tcp[5], tcp[6], tcp[7]]),
            data_len: tcp.len().saturating_sub(doff),
        })
    }
}

/// The rules, the RNG for fractions and the data-segment counters.
#[derive(Debug, Clone)]
pub struct Faults {
    rules: Vec<Rule>,
    rng: rand_chacha::ChaCha8Rng,
    /// Per direction: highest data end seen (to tell new data from retransmissions) and count.
    data_seen: [(Option<u32>, u32); 2],
}

impl Faults {
    /// No rules; `seed` drives [`Select::Fraction`].
    pub fn new(seed: u64) -> Faults {
        Faults {
            rules: Vec::new(),
            rng: rand_chacha::ChaCha8Rng::seed_from_u64(seed),
            data_seen: [(None, 0); 2],
        }
    }

    /// Adds a rule after the existing ones.
    pub fn add(&mut self, rule: Rule) {
        self.rules.push(rule);
    }

    /// A lossy path both ways: in each direction `p` of the packets lost,
    /// 1% reordered and 1% duplicated (the mix of the loss benchmark).
    pub fn add_lossy_path(&mut self, p: f64) {
        for dir in [Dir::ToKernel, Dir::ToUs] {
            self.add(Rule::new(dir, Select::Fraction(p), Action::Drop));
            self.add(Rule::new(dir, Select::Fraction(0.01), Action::Reorder));
            self.add(Rule::new(dir, Select::Fraction(0.01), Action::Duplicate));
        }
    }

    /// Removes every rule (counters stay).
    pub fn clear(&mut self) {
        self.rules.clear();
    }

    /// The rules, with how often each fired.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Decides the fate of one packet; `None` lets it through untouched.
    ///
    /// ```
    /// use handshake_io::fault::{Action, Dir, Faults, PacketInfo, Rule, Select};
    /// let mut f = Faults::new(1);
    /// f.add(Rule::new(Dir::ToUs, Select::NthData(2), Action::Drop));
    /// let seg = |seq| PacketInfo { seq, data_len: 100, ack: true, ..Default::default() };
    /// assert_eq!(f.judge(Dir::ToUs, &seg(0)), None);
    /// assert_eq!(f.judge(Dir::ToUs, &seg(100)), Some(Action::Drop));
    /// // The retransmission of the same bytes goes through.
    /// assert_eq!(f.judge(Dir::ToUs, &seg(100)), None);
    /// ```
    pub fn judge(&mut self, dir: Dir, p: &PacketInfo) -> Option<Action> {
        // Count new data segments in this direction (by sequence space).
        let slot = &mut self.data_seen[dir as usize];
        let mut nth = None;
        if p.data_len > 0 && !p.syn {
            let end = p.seq.wrapping_add(p.data_len as u32);
            let fresh = slot
                .0
                .is_none_or(|high| (end.wrapping_sub(high) as i32) > 0);
            if fresh {
                slot.0 = Some(end);
                slot.1 += 1;
                nth = Some(slot.1);
            }
        }
        for rule in &mut self.rules {
            if rule.dir != dir || rule.fired >= rule.limit {
                continue;
            }
            let hit = match rule.select {
                Select::NthData(n) => nth == Some(n),
                Select::EverySyn => p.syn,
                Select::EverySynAck => p.syn && p.ack,
                Select::All => true,
                Select::Fraction(f) => self.rng.gen_bool(f.clamp(0.0, 1.0)),
            };
            if hit {
                rule.fired += 1;
                return Some(rule.action);
            }
        }
        None
    }
}
