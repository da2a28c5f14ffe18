//! The resolver pipeline: cache, then the hosts file, then the network —
//! a stub asking the configured servers, or iterative resolution from the
//! root. [`Resolver`] is async on tokio; [`BlockingResolver`] wraps it with
//! its own runtime. The clock is the process's monotonic clock mapped onto
//! [`handshake_time::Instant`].

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use handshake_dns::wire::{Class, Message, Name, Question, RData, Rcode, Record, RecordType};
use handshake_dns::{
    Cache, CacheConfig, Cached, Hosts, IterConfig, Iterative, Outcome, ResolvConf,
};
use handshake_time::Instant;

use crate::dns;

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
}

/// A resolver: cache -> hosts file -> network, async.
///
/// ```no_run
/// # async fn f() -> std::io::Result<()> {
/// use handshake_io::resolver::Resolver;
/// let mut r = Resolver::system()?;
/// let addrs = r.lookup_ip("localhost").await?;
/// assert!(!addrs.is_empty());
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Resolver {
    cache: Cache,
    hosts: Hosts,
    upstream: Upstream,
    origin: std::time::Instant,
    next_server: usize,
}

impl Resolver {
    /// A resolver with an empty cache.
    pub fn new(hosts: Hosts, upstream: Upstream) -> Resolver {
        Resolver {
            cache: Cache::new(CacheConfig::default()),
            hosts,
            upstream,
            origin: std::time::Instant::now(),
            next_server: 0,
        }
    }

    /// The system's configuration: the hosts file and resolv.conf (stub mode).
    pub fn system() -> io::Result<Resolver> {
        let hosts = std::fs::read_to_string(handshake_dns::HOSTS_PATH)
            .map(|t| Hosts::parse(&t))
            .unwrap_or_default();
        let conf = std::fs::read_to_string(handshake_dns::RESOLV_CONF_PATH)
            .map(|t| ResolvConf::parse(&t))
            .unwrap_or_default();
        Ok(Resolver::new(hosts, Upstream::Stub(conf)))
    }

    fn now(&self) -> Instant {
        Instant::from_nanos(u64::try_from(self.origin.elapsed().as_nanos()).unwrap_or(u64::MAX))
    }

    /// The IPv4 and IPv6 addresses of `name` (hosts file first, then A and AAAA).
    pub async fn lookup_ip(&mut self, name: &str) -> io::Result<Vec<IpAddr>> {
        let mut out = Vec::new();
        for t in [RecordType::A, RecordType::AAAA] {
            if let Outcome::Answer { records, .. } = self.lookup(name, t).await?.outcome {
                out.extend(records.iter().filter_map(|r| match r.data {
                    RData::A(a) => Some(IpAddr::V4(a)),
                    RData::Aaaa(a) => Some(IpAddr::V6(a)),
                    _ => None,
                }));
            }
        }
        Ok(out)
    }

    /// Looks `name` up for `rtype`.
    pub async fn lookup(&mut self, name: &str, rtype: RecordType) -> io::Result<Answer> {
        let qname: Name = name
            .parse()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        if let Some(outcome) = self.cached(&qname, rtype) {
            return Ok(Answer {
                outcome,
                source: Source::Cache,
                queries: 0,
            });
        }
        if matches!(rtype, RecordType::A | RecordType::AAAA) {
            let addrs = self.hosts.lookup(&qname);
            if !addrs.is_empty() {
                let records: Vec<Record> = addrs
                    .iter()
                    .filter_map(|a| match (a, rtype) {
                        (IpAddr::V4(v4), RecordType::A) => Some(RData::A(*v4)),
                        (IpAddr::V6(v6), RecordType::AAAA) => Some(RData::Aaaa(*v6)),
                        _ => None,
                    })
                    .map(|d| Record::new(qname.clone(), 0, d))
                    .collect();
                let outcome = if records.is_empty() {
                    Outcome::NoData {
                        cnames: vec![],
                        soa: None,
                    }
                } else {
                    Outcome::Answer {
                        cnames: vec![],
                        records,
                    }
                };
                return Ok(Answer {
                    outcome,
                    source: Source::Hosts,
                    queries: 0,
                });
            }
        }
        let (outcome, queries) = match self.upstream.clone() {
            Upstream::Iterative {
                root_hints,
                config,
                timeout,
            } => {
                let mut lookup =
                    Iterative::new(Question::new(qname.clone(), rtype), &root_hints, config);
                let outcome = dns::resolve_async(&mut lookup, timeout, |_| {}).await;
                (outcome, usize::from(lookup.queries()))
            }
            Upstream::Stub(conf) => self.stub(&conf, name, rtype).await?,
        };
        self.remember(&qname, rtype, &outcome);
        Ok(Answer {
            outcome,
            source: Source::Network,
            queries,
        })
    }

    /// resolv.conf(5): each candidate name in search order; for each,
    /// `attempts` rounds over the servers (starting where the last success
    /// was, with `rotate` moving on each time); NXDOMAIN moves to the next
    /// candidate, anything else ends the search.
    async fn stub(
        &mut self,
        conf: &ResolvConf,
        name: &str,
        rtype: RecordType,
    ) -> io::Result<(Outcome, usize)> {
        let mut queries = 0;
        let mut last = Outcome::ServFail("no server answered");
        let timeout =
            Duration::from_nanos(u64::try_from(conf.timeout.as_nanos()).unwrap_or(u64::MAX));
        for candidate in conf.candidates(name) {
            let mut answered = None;
            'rounds: for _ in 0..conf.attempts {
                for i in 0..conf.nameservers.len() {
                    let server: SocketAddr =
                        conf.nameservers[(self.next_server + i) % conf.nameservers.len()];
                    let id = u16::try_from(rand::random::<u32>() & 0xffff).unwrap_or(0);
                    queries += 1;
                    match dns::query_async(
                        server,
                        &Message::query(id, Question::new(candidate.clone(), rtype)),
                        timeout,
                    )
                    .await
                    {
                        Ok(m) if m.rcode() == Rcode::SERVFAIL || m.rcode() == Rcode::REFUSED => {
                            continue
                        }
                        Ok(m) => {
                            if conf.rotate {
                                self.next_server =
                                    (self.next_server + i + 1) % conf.nameservers.len();
                            }
                            answered = Some(m);
                            break 'rounds;
                        }
                        Err(_) => continue,
                    }
                }
            }
            let Some(m) = answered else { continue };
            let soa = m.authorities.iter().find_map(|r| match &r.data {
                RData::Soa(s) => Some(s.clone()),
                _ => None,
            });
            let rcode = m.rcode();
            let (cnames, records): (Vec<Record>, Vec<Record>) = m
                .answers
                .into_iter()
                .partition(|r| r.rtype() == RecordType::CNAME && rtype != RecordType::CNAME);
            last = match rcode {
                Rcode::NXDOMAIN => Outcome::NxDomain { cnames, soa },
                _ if records.is_empty() => Outcome::NoData { cnames, soa },
                _ => Outcome::Answer { cnames, records },
            };
            if !matches!(last, Outcome::NxDomain { .. }) {
                break;
            }
        }
        Ok((last, queries))
    }

    /// Follows CNAMEs through the cache to an RRset or a negative entry.
    fn cached(&mut self, qname: &Name, rtype: RecordType) -> Option<Outcome> {
        let now = self.now();
        let mut name = qname.clone();
        let mut cnames = Vec::new();
        for _ in 0..8 {
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
    fn remember(&mut self, qname: &Name, rtype: RecordType, outcome: &Outcome) {
        let now = self.now();
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
            // The SOA's own TTL is not known here; its MINIMUM bounds the entry (RFC 2308 §5).
            let record = Record::new(name.clone(), soa.minimum, RData::Soa(soa.clone()));
            self.cache
                .insert_negative(now, &name, rtype, Class::IN, nx, &record);
        }
    }
}

/// [`Resolver`] with its own current-thread runtime, for callers without one.
///
/// ```no_run
/// use handshake_io::resolver::BlockingResolver;
/// let mut r = BlockingResolver::system().unwrap();
/// let addrs = r.lookup_ip("localhost").unwrap();
/// assert!(!addrs.is_empty());
/// ```
#[derive(Debug)]
pub struct BlockingResolver {
    runtime: tokio::runtime::Runtime,
    inner: Resolver,
}

impl BlockingResolver {
    /// Wraps a resolver.
    pub fn new(inner: Resolver) -> io::Result<BlockingResolver> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        Ok(BlockingResolver { runtime, inner })
    }

    /// The system's configuration (hosts file, resolv.conf).
    pub fn system() -> io::Result<BlockingResolver> {
        BlockingResolver::new(Resolver::system()?)
    }

    /// [`Resolver::lookup`], blocking.
    pub fn lookup(&mut self, name: &str, rtype: RecordType) -> io::Result<Answer> {
        self.runtime.block_on(self.inner.lookup(name, rtype))
    }

    /// [`Resolver::lookup_ip`], blocking.
    pub fn lookup_ip(&mut self, name: &str) -> io::Result<Vec<IpAddr>> {
        self.runtime.block_on(self.inner.lookup_ip(name))
    }
}
