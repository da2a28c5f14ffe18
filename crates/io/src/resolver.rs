//! The resolver pipeline: cache, then the hosts file, then the network —
//! a stub asking the configured servers, or iterative resolution from the
//! root. [`Resolver`] is async on tokio; [`BlockingResolver`] wraps it with
//! its own runtime. The clock is the process's monotonic clock mapped onto
//! [`handshake_time::Instant`].
//!
//! Every [`Answer`] carries a [`TraceStep`] list — cache hit or miss, hosts
//! file hit, each server asked and what it said, each referral — that a CLI
//! prints one line per step.

use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use handshake_dns::wire::{Class, Message, Name, Question, RData, Rcode, Record, RecordType};
use handshake_dns::{
    Cache, CacheConfig, Cached, Hosts, Infra, IterConfig, Iterative, Outcome, ResolvConf, ServFail,
    TraceEvent,
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

/// One step of a lookup through the pipeline, in the order it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TraceStep {
    /// The cache answered (after any CNAMEs it also held).
    CacheHit {
        /// The name asked for.
        name: Name,
        /// The type asked for.
        rtype: RecordType,
    },
    /// The cache had nothing for the question.
    CacheMiss {
        /// The name asked for.
        name: Name,
        /// The type asked for.
        rtype: RecordType,
    },
    /// The hosts file knows the name.
    HostsHit {
        /// The name.
        name: Name,
        /// Its addresses in the file, of either family.
        addrs: Vec<IpAddr>,
    },
    /// The stub asked a recursive server (RD=1), and what came back.
    Stub {
        /// The server.
        server: SocketAddr,
        /// The question, after search-list expansion.
        question: Question,
        /// Its response code, or why there was none (timeout, I/O error).
        reply: Result<Rcode, String>,
    },
    /// A step of iterative resolution: a query to an authority, a referral,
    /// a CNAME, a truncated or rejected response.
    Iterative(TraceEvent),
}

impl fmt::Display for TraceStep {
    /// One line per step, as `handshake resolve --trace` prints them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TraceStep::CacheHit { name, rtype } => write!(f, "cache hit {name} {rtype}"),
            TraceStep::CacheMiss { name, rtype } => write!(f, "cache miss {name} {rtype}"),
            TraceStep::HostsHit { name, addrs } => {
                write!(f, "hosts file {name}")?;
                for a in addrs {
                    write!(f, " {a}")?;
                }
                Ok(())
            }
            TraceStep::Stub {
                server,
                question,
                reply,
            } => {
                write!(f, "asked {server} {} {}: ", question.name, question.qtype)?;
                match reply {
                    Ok(rcode) => write!(f, "rcode {}", rcode.0),
                    Err(e) => write!(f, "no answer ({e})"),
                }
            }
            TraceStep::Iterative(e) => write!(f, "{e}"),
        }
    }
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

/// The system's hosts file: `%SystemRoot%\System32\drivers\etc\hosts`
/// (`C:\Windows` when the variable is unset).
#[cfg(windows)]
pub fn system_hosts_path() -> PathBuf {
    std::env::var_os("SystemRoot")
        .map_or_else(|| PathBuf::from(r"C:\Windows"), PathBuf::from)
        .join("System32")
        .join("drivers")
        .join("etc")
        .join("hosts")
}

/// The system's hosts file: `/etc/hosts` on Unix and macOS.
#[cfg(not(windows))]
pub fn system_hosts_path() -> PathBuf {
    PathBuf::from(handshake_dns::HOSTS_PATH)
}

/// The stub resolver's configuration as the system has it: the DNS servers
/// of every adapter that is up, in adapter order, through
/// `GetAdaptersAddresses` (the `ipconfig` crate), and the DNS suffix search
/// list from the registry; glibc's defaults for the rest. Without any
/// server, [`ResolvConf::default`] (127.0.0.1).
#[cfg(windows)]
pub fn system_resolv_conf() -> ResolvConf {
    windows::resolv_conf()
}

/// The stub resolver's configuration as the system has it: `/etc/resolv.conf`
/// (on macOS configd writes it from the primary service; the per-domain
/// resolvers of `scutil --dns` are not read). A missing file gives
/// [`ResolvConf::default`] (127.0.0.1).
#[cfg(not(windows))]
pub fn system_resolv_conf() -> ResolvConf {
    std::fs::read_to_string(handshake_dns::RESOLV_CONF_PATH)
        .map(|t| ResolvConf::parse(&t))
        .unwrap_or_default()
}

/// The name servers of a list of network adapters, `(is up, its DNS servers)`
/// in adapter order: duplicates and down adapters dropped, and the three
/// site-local `fec0:0:0:ffff::1-3` addresses that Windows lists for an
/// adapter with no IPv6 DNS server (draft-ietf-ipv6-dns-discovery, deprecated
/// with site-local addresses by RFC 3879) left out.
pub fn adapter_name_servers<'a>(
    adapters: impl IntoIterator<Item = (bool, &'a [IpAddr])>,
) -> Vec<SocketAddr> {
    let placeholder = |ip: &IpAddr| match ip {
        IpAddr::V6(v6) => (1..=3).any(|n| *v6 == Ipv6Addr::new(0xfec0, 0, 0, 0xffff, 0, 0, 0, n)),
        IpAddr::V4(_) => false,
    };
    let mut out: Vec<SocketAddr> = Vec::new();
    for (up, servers) in adapters {
        for ip in servers.iter().filter(|ip| up && !placeholder(ip)) {
            let sa = SocketAddr::new(*ip, 53);
            if !out.contains(&sa) {
                out.push(sa);
            }
        }
    }
    out
}

#[cfg(windows)]
mod windows {
    use handshake_dns::ResolvConf;

    pub(super) fn resolv_conf() -> ResolvConf {
        let mut conf = ResolvConf::default();
        if let Ok(adapters) = ipconfig::get_adapters() {
            let servers = super::adapter_name_servers(adapters.iter().map(|a| {
                (
                    a.oper_status() == ipconfig::OperStatus::IfOperStatusUp,
                    a.dns_servers(),
                )
            }));
            if !servers.is_empty() {
                conf.nameservers = servers;
            }
        }
        if let Ok(list) = ipconfig::computer::get_search_list() {
            conf.search = list.iter().filter_map(|d| d.trim().parse().ok()).collect();
        }
        conf
    }
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
    /// What iterative lookups learnt about servers (RTT, timeouts), kept
    /// across lookups (issue 14, defect 4).
    infra: Infra,
    next_server: usize,
}

impl Resolver {
    /// A resolver with an empty cache.
    pub fn new(hosts: Hosts, upstream: Upstream) -> Resolver {
        Resolver {
            cache: Cache::new(CacheConfig::default()),
            hosts,
            upstream,
            infra: Infra::default(),
            next_server: 0,
        }
    }

    /// The system's configuration (stub mode): the hosts file of
    /// [`system_hosts_path`] and the servers of [`system_resolv_conf`].
    pub fn system() -> io::Result<Resolver> {
        let hosts = std::fs::read_to_string(system_hosts_path())
            .map(|t| Hosts::parse(&t))
            .unwrap_or_default();
        Ok(Resolver::new(hosts, Upstream::Stub(system_resolv_conf())))
    }

    fn now(&self) -> Instant {
        dns::now()
    }

    /// What iterative lookups learnt about servers so far.
    pub fn infra(&self) -> &Infra {
        &self.infra
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
                trace: vec![TraceStep::CacheHit { name: qname, rtype }],
            });
        }
        let mut trace = vec![TraceStep::CacheMiss {
            name: qname.clone(),
            rtype,
        }];
        if matches!(rtype, RecordType::A | RecordType::AAAA) {
            let addrs = self.hosts.lookup(&qname);
            if !addrs.is_empty() {
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
                    trace,
                });
            }
        }
        // The network part lives in its own boxed future: the one `lookup`
        // returns stays small, so a cache or hosts-file answer does not move
        // the (large) state of a network exchange around.
        Box::pin(self.ask_network(qname, name, rtype, trace)).await
    }

    /// The network stage of [`Resolver::lookup`]: stub or iterative, then
    /// the cache is filled from the outcome.
    async fn ask_network(
        &mut self,
        qname: Name,
        name: &str,
        rtype: RecordType,
        mut trace: Vec<TraceStep>,
    ) -> io::Result<Answer> {
        let (outcome, queries) = match self.upstream.clone() {
            Upstream::Iterative {
                root_hints,
                config,
                timeout,
            } => {
                let mut lookup =
                    Iterative::new(Question::new(qname.clone(), rtype), &root_hints, config)
                        .with_infra(std::mem::take(&mut self.infra));
                lookup.start(self.now());
                let outcome = dns::resolve_async(&mut lookup, timeout, |_| {}).await;
                self.infra = lookup.take_infra();
                let outcome = outcome?;
                trace.extend(lookup.trace().iter().cloned().map(TraceStep::Iterative));
                (outcome, usize::from(lookup.queries()))
            }
            Upstream::Stub(conf) => self.stub(&conf, name, rtype, &mut trace).await?,
        };
        self.remember(&qname, rtype, &outcome);
        Ok(Answer {
            outcome,
            source: Source::Network,
            queries,
            trace,
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
        trace: &mut Vec<TraceStep>,
    ) -> io::Result<(Outcome, usize)> {
        let mut queries = 0;
        let mut last = Outcome::ServFail(ServFail::Timeout);
        let timeout =
            Duration::from_nanos(u64::try_from(conf.timeout.as_nanos()).unwrap_or(u64::MAX));
        for candidate in conf.candidates(name) {
            let mut answered = None;
            let (mut refused, mut errors) = (0, 0);
            'rounds: for _ in 0..conf.attempts {
                for i in 0..conf.nameservers.len() {
                    let server: SocketAddr =
                        conf.nameservers[(self.next_server + i) % conf.nameservers.len()];
                    let id = u16::try_from(rand::random::<u32>() & 0xffff).unwrap_or(0);
                    queries += 1;
                    let question = Question::new(candidate.clone(), rtype);
                    let reply =
                        dns::query_async(server, &Message::query(id, question.clone()), timeout)
                            .await;
                    trace.push(TraceStep::Stub {
                        server,
                        question,
                        reply: reply
                            .as_ref()
                            .map(Message::rcode)
                            .map_err(ToString::to_string),
                    });
                    match reply {
                        Ok(m) if m.rcode() == Rcode::REFUSED => refused += 1,
                        Ok(m) if m.rcode() == Rcode::SERVFAIL => errors += 1,
                        Ok(m) => {
                            if conf.rotate {
                                self.next_server =
                                    (self.next_server + i + 1) % conf.nameservers.len();
                            }
                            answered = Some(m);
                            break 'rounds;
                        }
                        // Our own socket failed: no server is to blame.
                        Err(e) if is_local(&e) => return Err(e),
                        Err(_) => {}
                    }
                }
            }
            let Some(m) = answered else {
                last = Outcome::ServFail(if errors > 0 {
                    ServFail::ServerError
                } else if refused > 0 {
                    ServFail::AllServersRefused
                } else {
                    ServFail::Timeout
                });
                continue;
            };
            // Only the question's own chain counts: nothing else from the
            // answer section is returned or cached (RFC 1034 §5.3.3).
            last = Outcome::from_response(&Question::new(candidate.clone(), rtype), &m);
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
            // RFC 2308 §5: the cache keeps it for min(SOA record TTL, MINIMUM).
            self.cache
                .insert_negative(now, &name, rtype, Class::IN, nx, soa);
        }
    }
}

/// True for an exchange's error that is ours, not the server's: anything
/// but a timeout, a refused or broken connection, or a server's bad message.
fn is_local(e: &io::Error) -> bool {
    use io::ErrorKind as K;
    !matches!(
        e.kind(),
        K::TimedOut
            | K::ConnectionRefused
            | K::ConnectionReset
            | K::ConnectionAborted
            | K::BrokenPipe
            | K::NotConnected
            | K::UnexpectedEof
            | K::InvalidData
            | K::HostUnreachable
            | K::NetworkUnreachable
    )
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
