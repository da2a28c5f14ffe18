//! The resolver pipeline as a sans-IO machine: the cache, then the hosts
//! file, then the network — a [`Stub`] asking recursive servers, or an
//! [`Iterative`] resolution from the root — with a [`TraceStep`] for each
//! step.
//!
//! [`Pipeline::begin`] answers from the cache or the hosts file, or hands
//! out a [`NetworkLookup`] for the caller to drive (the same `poll` /
//! `handle_*` calls as [`Stub`], with the time and randomness the caller
//! gives); [`Pipeline::finish`] takes it back, fills the cache from its
//! outcome and gives the [`Answer`]. The pipeline is not borrowed while a
//! lookup is on the network, so a caller can run many at once against one
//! pipeline behind a lock that is held only for `begin` and `finish`.

use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;

use core::net::{IpAddr, SocketAddr};

use rand_core::RngCore;

use handshake_time::{Duration, Instant};

use crate::cache::{Cache, CacheConfig, Cached};
use crate::hosts::Hosts;
use crate::iterative::{Infra, IterConfig, Iterative, Outcome, Step};
use crate::stub::Stub;
use crate::trace::TraceStep;
use crate::wire::{Class, Name, Question, RData, Record, RecordType};
use crate::{Error, ResolvConf};

/// CNAMEs followed through the cache before it gives up and asks the network.
const CACHE_CNAMES: usize = 8;

/// Where answers come from when neither the cache nor the hosts file has them.
#[derive(Debug, Clone)]
pub enum Upstream {
    /// Ask recursive servers (resolv.conf): search list, ndots, attempts, rotation.
    Stub(ResolvConf),
    /// Resolve iteratively from these root hints.
    Iterative {
        /// Root server names and addresses.
        root_hints: Vec<(Name, Vec<IpAddr>)>,
        /// Limits.
        config: IterConfig,
        /// Time to wait for each server.
        timeout: Duration,
    },
}

/// Which stage of the pipeline answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The cache.
    Cache,
    /// The hosts file.
    Hosts,
    /// A server (stub) or the chain of authorities (iterative).
    Network,
}

/// A lookup's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// How it ended (records, NXDOMAIN, NODATA, SERVFAIL).
    pub outcome: Outcome,
    /// Which stage answered.
    pub source: Source,
    /// Queries sent for it.
    pub queries: usize,
    /// What the pipeline did, step by step.
    pub trace: Vec<TraceStep>,
}

/// What [`Pipeline::begin`] found.
#[derive(Debug)]
pub enum Begin {
    /// The cache or the hosts file answered.
    Answered(Answer),
    /// The network must be asked: drive this lookup, then hand it to
    /// [`Pipeline::finish`].
    Network(Box<NetworkLookup>),
}

/// The cache, the hosts file and the upstream configuration, and what the
/// stub and iterative lookups carry from one lookup to the next (the
/// server to ask first under `rotate`, the infrastructure cache).
///
/// ```
/// use handshake_dns::{Begin, Hosts, Pipeline, ResolvConf, Source, Upstream};
/// use handshake_dns::wire::RecordType;
/// use handshake_time::Instant;
/// let hosts = Hosts::parse("192.0.2.9 pinned.example\n");
/// let mut p = Pipeline::new(hosts, Upstream::Stub(ResolvConf::default()));
/// let Ok(Begin::Answered(a)) = p.begin(Instant::ZERO, "pinned.example", RecordType::A) else { panic!() };
/// assert_eq!(a.source, Source::Hosts);
/// assert!(matches!(p.begin(Instant::ZERO, "www.example", RecordType::A), Ok(Begin::Network(_))));
/// ```
#[derive(Debug)]
pub struct Pipeline {
    cache: Cache,
    hosts: Hosts,
    upstream: Upstream,
    infra: Infra,
    next_server: usize,
}

impl Pipeline {
    /// A pipeline with an empty cache of the default size.
    pub fn new(hosts: Hosts, upstream: Upstream) -> Pipeline {
        Pipeline::with_cache(hosts, upstream, CacheConfig::default())
    }

    /// A pipeline with an empty cache of the given bounds.
    pub fn with_cache(hosts: Hosts, upstream: Upstream, config: CacheConfig) -> Pipeline {
        Pipeline {
            cache: Cache::new(config),
            hosts,
            upstream,
            infra: Infra::default(),
            next_server: 0,
        }
    }

    /// What iterative lookups learnt about servers so far.
    pub fn infra(&self) -> &Infra {
        &self.infra
    }

    /// The cache (read-only: [`Cache::entries`] lists it).
    pub fn cache(&self) -> &Cache {
        &self.cache
    }

    /// The upstream configuration.
    pub fn upstream(&self) -> &Upstream {
        &self.upstream
    }

    /// Starts a lookup of `name` (as typed: a stub's search list depends on
    /// its dots and final dot) for `rtype` at `now`: the cache (following
    /// CNAMEs it holds), then the hosts file (for A and AAAA), else a
    /// [`NetworkLookup`]. Err for a name that is not a domain name.
    pub fn begin(&mut self, now: Instant, name: &str, rtype: RecordType) -> Result<Begin, Error> {
        let qname: Name = name.parse()?;
        if let Some(outcome) = self.cached(now, &qname, rtype) {
            return Ok(Begin::Answered(Answer {
                outcome,
                source: Source::Cache,
                queries: 0,
                trace: vec![TraceStep::CacheHit { name: qname, rtype }],
            }));
        }
        let mut trace = vec![TraceStep::CacheMiss {
            name: qname.clone(),
            rtype,
        }];
        if let Some(outcome) = self.hosts_answer(&qname, rtype, &mut trace) {
            return Ok(Begin::Answered(Answer {
                outcome,
                source: Source::Hosts,
                queries: 0,
                trace,
            }));
        }
        let machine = match &self.upstream {
            Upstream::Stub(conf) => Machine::Stub(Stub::new(conf, name, rtype, self.next_server)),
            Upstream::Iterative {
                root_hints,
                config,
                timeout,
            } => {
                let mut it =
                    Iterative::new(Question::new(qname.clone(), rtype), root_hints, *config)
                        .with_infra(self.infra.clone());
                it.start(now);
                Machine::Iterative {
                    it,
                    timeout: *timeout,
                    query_deadline: None,
                }
            }
        };
        Ok(Begin::Network(Box::new(NetworkLookup {
            qname,
            rtype,
            absolute: name.ends_with('.'),
            trace,
            machine,
        })))
    }

    /// Takes back a lookup that ended ([`Step::Done`]): remembers what it
    /// learnt, caches its outcome, and gives its [`Answer`].
    pub fn finish(&mut self, now: Instant, lookup: Box<NetworkLookup>, outcome: Outcome) -> Answer {
        let NetworkLookup {
            qname,
            rtype,
            mut trace,
            machine,
            ..
        } = *lookup;
        let queries = match machine {
            Machine::Stub(stub) => {
                self.next_server = stub.next_first();
                trace.extend_from_slice(stub.trace());
                stub.queries()
            }
            Machine::Iterative { mut it, .. } => {
                self.infra.merge(it.take_infra());
                trace.extend(it.trace().iter().cloned().map(TraceStep::Iterative));
                usize::from(it.queries())
            }
        };
        self.remember(now, &qname, rtype, &outcome);
        Answer {
            outcome,
            source: Source::Network,
            queries,
            trace,
        }
    }

    /// Takes back a lookup given up for a local failure: what it learnt
    /// about servers is kept, nothing is cached.
    pub fn abandon(&mut self, lookup: Box<NetworkLookup>) {
        if let Machine::Iterative { mut it, .. } = lookup.machine {
            self.infra.merge(it.take_infra());
        }
    }

    /// The hosts file's answer for A and AAAA questions.
    fn hosts_answer(
        &self,
        qname: &Name,
        rtype: RecordType,
        trace: &mut Vec<TraceStep>,
    ) -> Option<Outcome> {
        if !matches!(rtype, RecordType::A | RecordType::AAAA) {
            return None;
        }
        let addrs = self.hosts.lookup(qname);
        if addrs.is_empty() {
            return None;
        }
        trace.push(TraceStep::HostsHit {
            name: qname.clone(),
            addrs: addrs.to_vec(),
        });
        let records: Vec<Record> = addrs
            .iter()
            .filter_map(|a| match (a, rtype) {
                (IpAddr::V4(v4), RecordType::A) => Some(RData::A(*v4)),
                (IpAddr::V6(v6), RecordType::AAAA) => Some(RData::Aaaa(*v6)),
                _ => None,
            })
            .map(|d| Record::new(qname.clone(), 0, d))
            .collect();
        Some(if records.is_empty() {
            Outcome::NoData {
                cnames: vec![],
                soa: None,
            }
        } else {
            Outcome::Answer {
                cnames: vec![],
                records,
            }
        })
    }

    /// Follows CNAMEs through the cache to an RRset or a negative entry.
    fn cached(&mut self, now: Instant, qname: &Name, rtype: RecordType) -> Option<Outcome> {
        let mut name = qname.clone();
        let mut cnames = Vec::new();
        for _ in 0..CACHE_CNAMES {
            match self.cache.get(now, &name, rtype, Class::IN) {
                Some(Cached::Records(records)) => return Some(Outcome::Answer { cnames, records }),
                Some(Cached::NxDomain(soa)) => {
                    return Some(Outcome::NxDomain {
                        cnames,
                        soa: Some(soa),
                    })
                }
                Some(Cached::NoData(soa)) => {
                    return Some(Outcome::NoData {
                        cnames,
                        soa: Some(soa),
                    })
                }
                None => {}
            }
            let Some(Cached::Records(c)) = self.cache.get(now, &name, RecordType::CNAME, Class::IN)
            else {
                return None;
            };
            let target = c.iter().find_map(|r| match &r.data {
                RData::Cname(t) => Some(t.clone()),
                _ => None,
            })?;
            cnames.extend(c);
            name = target;
        }
        None
    }

    /// Caches each CNAME under its owner, the final RRset under its name, and
    /// negative answers from their SOA (RFC 2308 §5).
    fn remember(&mut self, now: Instant, qname: &Name, rtype: RecordType, outcome: &Outcome) {
        let (cnames, last) = match outcome {
            Outcome::Answer { cnames, records } => {
                self.cache.insert_records(now, records.clone());
                (cnames, None)
            }
            Outcome::NxDomain { cnames, soa } => (cnames, soa.as_ref().map(|s| (true, s))),
            Outcome::NoData { cnames, soa } => (cnames, soa.as_ref().map(|s| (false, s))),
            Outcome::ServFail(_) => return,
        };
        for c in cnames {
            self.cache.insert_records(now, vec![c.clone()]);
        }
        if let Some((nx, soa)) = last {
            let name = cnames
                .last()
                .and_then(|c| match &c.data {
                    RData::Cname(t) => Some(t.clone()),
                    _ => None,
                })
                .unwrap_or_else(|| qname.clone());
            // RFC 2308 §5: the cache keeps it for min(SOA record TTL, MINIMUM).
            self.cache
                .insert_negative(now, &name, rtype, Class::IN, nx, soa);
        }
    }
}

#[derive(Debug)]
enum Machine {
    Stub(Stub),
    Iterative {
        it: Iterative,
        /// Time to wait for each server.
        timeout: Duration,
        /// When the query handed out last times out.
        query_deadline: Option<Instant>,
    },
}

/// A lookup that needs the network: a [`Stub`] or an [`Iterative`]
/// resolution, driven the same way.
#[derive(Debug)]
pub struct NetworkLookup {
    qname: Name,
    rtype: RecordType,
    absolute: bool,
    trace: Vec<TraceStep>,
    machine: Machine,
}

impl NetworkLookup {
    /// The name asked for (before any search-list expansion).
    pub fn name(&self) -> &Name {
        &self.qname
    }

    /// The type asked for.
    pub fn rtype(&self) -> RecordType {
        self.rtype
    }

    /// The name was typed with a final dot (a stub does not search for it).
    pub fn is_absolute(&self) -> bool {
        self.absolute
    }

    /// The steps so far (cache miss), before the network's.
    pub fn trace(&self) -> &[TraceStep] {
        &self.trace
    }

    /// The caller's clock.
    pub fn handle_time(&mut self, now: Instant) {
        match &mut self.machine {
            Machine::Stub(s) => s.handle_time(now),
            Machine::Iterative { it, .. } => it.handle_time(now),
        }
    }

    /// The next step: a query to send, a wait, or the outcome.
    pub fn poll(&mut self, rng: &mut impl RngCore) -> Step {
        match &mut self.machine {
            Machine::Stub(s) => s.poll(rng),
            Machine::Iterative {
                it,
                timeout,
                query_deadline,
            } => {
                let step = it.poll(rng);
                if matches!(step, Step::Query { .. }) {
                    *query_deadline = it.last_time().and_then(|t| t.checked_add(*timeout));
                }
                step
            }
        }
    }

    /// When the outstanding query times out (for an iterative lookup, the
    /// earlier of the per-server timeout and the resolution's deadline).
    pub fn poll_timeout(&self) -> Option<Instant> {
        match &self.machine {
            Machine::Stub(s) => s.poll_timeout(),
            Machine::Iterative {
                it, query_deadline, ..
            } => {
                if !it.is_waiting() {
                    return None;
                }
                match (*query_deadline, it.deadline()) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                }
            }
        }
    }

    /// The time is `now`: an outstanding query whose timeout has passed is
    /// given up on.
    pub fn handle_timeout(&mut self, now: Instant) {
        let expired = self.poll_timeout().is_some_and(|d| now >= d);
        match &mut self.machine {
            Machine::Stub(s) => s.handle_timeout(now),
            Machine::Iterative { it, .. } => {
                it.handle_time(now);
                if expired && it.is_waiting() {
                    it.handle_timeout();
                }
            }
        }
    }

    /// The outstanding query's exchange failed (connection refused or reset).
    pub fn handle_error(&mut self, why: &str) {
        match &mut self.machine {
            Machine::Stub(s) => s.handle_error(why),
            Machine::Iterative { it, .. } => {
                if it.is_waiting() {
                    it.handle_timeout();
                }
            }
        }
    }

    /// A datagram or TCP message arrived from `from`; the one response check
    /// ([`Outstanding::accept_datagram`](crate::Outstanding::accept_datagram))
    /// decides whether it is the answer.
    pub fn handle_datagram(&mut self, from: SocketAddr, datagram: &[u8]) {
        match &mut self.machine {
            Machine::Stub(s) => s.handle_datagram(from, datagram),
            Machine::Iterative { it, .. } => it.handle_datagram(from, datagram),
        }
    }

    /// True while a query handed out awaits its response, timeout or failure.
    pub fn is_waiting(&self) -> bool {
        match &self.machine {
            Machine::Stub(s) => s.is_waiting(),
            Machine::Iterative { it, .. } => it.is_waiting(),
        }
    }
}
