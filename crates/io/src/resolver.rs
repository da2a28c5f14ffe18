//! The resolver pipeline on tokio: [`Resolver`] drives the sans-IO
//! [`Pipeline`] of `handshake-dns` (cache, then the hosts file, then a stub
//! asking the configured servers or iterative resolution from the root)
//! over the UDP and TCP transports of [`crate::dns`]; [`BlockingResolver`]
//! wraps it with its own runtime. The clock is the process's monotonic
//! clock mapped onto [`handshake_time::Instant`]. This module also reads the
//! system's configuration (hosts file, resolv.conf, Windows adapters).
//!
//! Lookups run concurrently: [`Resolver::lookup`] takes `&self`, and the
//! pipeline sits behind a lock taken only to start a lookup and to finish
//! it, never across an await. Identical questions in flight at once are
//! asked upstream once: the later lookups wait for the first one's answer.
//!
//! Every [`Answer`] carries a [`TraceStep`] list — cache hit or miss, hosts
//! file hit, each server asked and what it said, each referral — that a CLI
//! prints one line per step.

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};

use handshake_dns::wire::{Name, RData, RecordType};
use handshake_dns::{
    Begin, CacheEntry, Hosts, Infra, NetworkLookup, Outcome, Pipeline, ResolvConf, RootHints,
};
use tokio::sync::broadcast;

pub use handshake_dns::{Answer, Source, TraceStep, Upstream};

use crate::dns;

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

/// IANA's root hints as the system keeps them (Debian's `dns-root-data`:
/// [`handshake_dns::ROOT_HINTS_PATH`]), or `path`. An error names the file
/// when it cannot be read or gives no root server with an address.
pub fn root_hints(path: Option<&std::path::Path>) -> io::Result<RootHints> {
    let path = path.unwrap_or(std::path::Path::new(handshake_dns::ROOT_HINTS_PATH));
    let text = std::fs::read_to_string(path)
        .map_err(|e| io::Error::new(e.kind(), format!("root hints {}: {e}", path.display())))?;
    let hints = RootHints::parse(&text);
    if hints.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "root hints {}: no root server with an address",
                path.display()
            ),
        ));
    }
    Ok(hints)
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

/// A resolver: cache -> hosts file -> network, async; lookups run
/// concurrently, and identical questions in flight share one upstream query.
///
/// ```no_run
/// # async fn f() -> std::io::Result<()> {
/// use handshake_io::resolver::Resolver;
/// let r = Resolver::system()?;
/// // `&self`: other tasks may look names up with `r` at the same time.
/// let addrs = r.lookup_ip("localhost").await?;
/// assert!(!addrs.is_empty());
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Resolver {
    shared: Mutex<Shared>,
}

/// What lookups share: the pipeline (cache, hosts, what it learnt about
/// servers) and the questions on the network now. One lock for both, so a
/// lookup that misses the cache either finds the question in flight or
/// registers it, with no window between.
#[derive(Debug)]
struct Shared {
    pipeline: Pipeline,
    in_flight: HashMap<Key, broadcast::Sender<Shareable>>,
}

/// A question on the network: name (compared without regard to case),
/// whether it was typed with a final dot (the search list differs), type.
type Key = (Name, bool, RecordType);

/// A finished lookup as its waiters get it (an `io::Error` is not `Clone`).
type Shareable = Result<Answer, (io::ErrorKind, String)>;

/// Removes a question from the in-flight table when its lookup ends or is
/// dropped mid-way (the waiters then see the channel close and retry).
struct InFlight<'a> {
    resolver: &'a Resolver,
    key: Option<Key>,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.resolver.shared().in_flight.remove(&key);
        }
    }
}

impl Resolver {
    /// A resolver with an empty cache.
    pub fn new(hosts: Hosts, upstream: Upstream) -> Resolver {
        Resolver::from_pipeline(Pipeline::new(hosts, upstream))
    }

    /// A resolver around a pipeline built by the caller (its cache bounds).
    pub fn from_pipeline(pipeline: Pipeline) -> Resolver {
        Resolver {
            shared: Mutex::new(Shared {
                pipeline,
                in_flight: HashMap::new(),
            }),
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

    /// The shared state; a lookup that panicked while holding the lock left
    /// it consistent (every update under it is a single step), so a
    /// poisoned lock is taken over.
    fn shared(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// What iterative lookups learnt about servers so far (a copy).
    pub fn infra(&self) -> Infra {
        self.shared().pipeline.infra().clone()
    }

    /// The cache's live entries now, TTLs counted down (see
    /// [`handshake_dns::Cache::entries`]).
    pub fn cache_entries(&self) -> Vec<CacheEntry> {
        self.shared().pipeline.cache().entries(dns::now())
    }

    /// The IPv4 and IPv6 addresses of `name` (hosts file first, then A and AAAA).
    pub async fn lookup_ip(&self, name: &str) -> io::Result<Vec<IpAddr>> {
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
    pub async fn lookup(&self, name: &str, rtype: RecordType) -> io::Result<Answer> {
        loop {
            let (lookup, waiter) = {
                let mut shared = self.shared();
                let begun = shared
                    .pipeline
                    .begin(dns::now(), name, rtype)
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
                let lookup = match begun {
                    Begin::Answered(answer) => return Ok(answer),
                    Begin::Network(lookup) => lookup,
                };
                let key: Key = (lookup.name().clone(), lookup.is_absolute(), rtype);
                match shared.in_flight.get(&key) {
                    Some(leader) => (lookup, Some(leader.subscribe())),
                    None => {
                        // One message, sent once: a capacity of one suffices.
                        let (tx, _) = broadcast::channel(1);
                        shared.in_flight.insert(key, tx);
                        (lookup, None)
                    }
                }
            };
            let Some(mut waiter) = waiter else {
                // The network part lives in its own boxed future: the one
                // `lookup` returns stays small for cache and hosts answers.
                return Box::pin(self.ask_network(lookup)).await;
            };
            match waiter.recv().await {
                Ok(shared) => {
                    let mut trace = lookup.trace().to_vec();
                    trace.push(TraceStep::Coalesced {
                        name: lookup.name().clone(),
                        rtype,
                    });
                    return shared
                        .map(|answer| {
                            trace.extend(
                                answer
                                    .trace
                                    .into_iter()
                                    .skip_while(|s| matches!(s, TraceStep::CacheMiss { .. })),
                            );
                            Answer {
                                outcome: answer.outcome,
                                source: answer.source,
                                queries: 0,
                                trace,
                            }
                        })
                        .map_err(|(kind, e)| io::Error::new(kind, e));
                }
                // The lookup we waited for was dropped before it ended:
                // start again (the cache may have it by now, or we lead).
                Err(_) => continue,
            }
        }
    }

    /// The network stage of [`Resolver::lookup`], as the leader of its
    /// question: drives the lookup (no lock held), finishes it in the
    /// pipeline, and hands the answer to the lookups that waited for it.
    async fn ask_network(&self, mut lookup: Box<NetworkLookup>) -> io::Result<Answer> {
        let key: Key = (lookup.name().clone(), lookup.is_absolute(), lookup.rtype());
        let mut guard = InFlight {
            resolver: self,
            key: Some(key),
        };
        let result = dns::drive(&mut *lookup).await;
        let mut shared = self.shared();
        let answer = match result {
            Ok(outcome) => Ok(shared.pipeline.finish(dns::now(), lookup, outcome)),
            Err(e) => {
                shared.pipeline.abandon(lookup);
                Err(e)
            }
        };
        // Under the same lock as the cache update: a lookup that starts
        // now finds the answer in the cache or the question still in
        // flight, never neither.
        if let Some(tx) = guard.key.take().and_then(|k| shared.in_flight.remove(&k)) {
            let _ = tx.send(match &answer {
                Ok(a) => Ok(a.clone()),
                Err(e) => Err((e.kind(), e.to_string())),
            });
        }
        answer
    }
}

/// [`Resolver`] with its own current-thread runtime, for callers without one.
///
/// ```no_run
/// use handshake_io::resolver::BlockingResolver;
/// let r = BlockingResolver::system().unwrap();
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
    pub fn lookup(&self, name: &str, rtype: RecordType) -> io::Result<Answer> {
        self.runtime.block_on(self.inner.lookup(name, rtype))
    }

    /// [`Resolver::lookup_ip`], blocking.
    pub fn lookup_ip(&self, name: &str) -> io::Result<Vec<IpAddr>> {
        self.runtime.block_on(self.inner.lookup_ip(name))
    }
}
