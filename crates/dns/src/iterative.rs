//! Iterative resolution from the root, as a sans-IO state machine.
//!
//! [`Iterative::poll`] says what to do next — send this query to this server,
//! or the lookup is over — and the caller feeds back what happened with
//! [`Iterative::handle_response`] or [`Iterative::handle_timeout`]. The
//! machine follows referrals down from the root hints (RFC 1034 §5.3.3),
//! uses glue only when it is in bailiwick, resolves out-of-bailiwick name
//! server names with a nested lookup, chases CNAMEs across zones, and stops
//! on loops and on the limits in [`IterConfig`].

use alloc::boxed::Box;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use core::net::{IpAddr, SocketAddr};

use rand_core::RngCore;

use crate::query::Outstanding;
use crate::wire::{Message, Name, Question, RData, Rcode, Record, RecordType};

/// Limits and switches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IterConfig {
    /// Referrals followed in one lookup (the depth of the delegation chain).
    pub max_referrals: u8,
    /// Queries sent in one lookup, nested name-server lookups included.
    pub max_queries: u16,
    /// CNAMEs followed.
    pub max_cnames: u8,
    /// Nesting of name-server address lookups.
    pub max_depth: u8,
    /// DNS 0x20: random case in every query name.
    pub randomise_case: bool,
    /// QNAME minimisation (RFC 9156): tell each server only one label more
    /// than the zone it serves, asking for A, until the cut is found.
    pub qname_minimisation: bool,
}

impl Default for IterConfig {
    /// Close to unbound's: 30 referrals (`target-fetch-policy` aside), 8 CNAMEs.
    fn default() -> IterConfig {
        IterConfig {
            max_referrals: 30,
            max_queries: 100,
            max_cnames: 8,
            max_depth: 4,
            randomise_case: true,
            qname_minimisation: false,
        }
    }
}

/// How a lookup ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The RRset, after the CNAMEs that led to it (in order).
    Answer {
        /// CNAME records followed, first to last.
        cnames: Vec<Record>,
        /// The records of the final name and the asked type.
        records: Vec<Record>,
    },
    /// The name (or the last CNAME target) does not exist (RFC 2308 §2.1).
    NxDomain {
        /// CNAME records followed.
        cnames: Vec<Record>,
        /// The SOA record from the authority section, with its TTL: a
        /// negative answer is cached for min(its TTL, its MINIMUM) (RFC 2308 §5).
        soa: Option<Record>,
    },
    /// The name exists without records of that type (RFC 2308 §2.2).
    NoData {
        /// CNAME records followed.
        cnames: Vec<Record>,
        /// The SOA record from the authority section, with its TTL.
        soa: Option<Record>,
    },
    /// No server gave a usable answer.
    ServFail(&'static str),
}

/// What the caller should do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Send `message` to `server` (over TCP when `tcp`: the UDP answer was truncated).
    Query {
        /// The server.
        server: SocketAddr,
        /// The query.
        message: Message,
        /// Use TCP (RFC 7766 §5: retry over TCP after TC=1).
        tcp: bool,
    },
    /// A query is out: wait for its response or its timeout.
    Wait,
    /// The lookup is over.
    Done(Outcome),
}

/// One entry of the trace a person can read (`handshake resolve --trace`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TraceEvent {
    /// A query went out.
    Asked {
        /// To whom.
        server: SocketAddr,
        /// The zone we believe the server serves.
        zone: Name,
        /// What.
        question: Question,
    },
    /// A referral to a child zone.
    Referral {
        /// The child zone.
        zone: Name,
        /// Its name servers.
        servers: Vec<Name>,
    },
    /// A CNAME was followed.
    Cname {
        /// From.
        from: Name,
        /// To.
        to: Name,
    },
    /// A server's answer was not used, and why.
    Rejected {
        /// The server.
        server: SocketAddr,
        /// Why.
        why: String,
    },
    /// The server's UDP answer had TC=1: the query goes again over TCP (RFC 7766 §5).
    Truncated {
        /// The server.
        server: SocketAddr,
    },
}

impl core::fmt::Display for TraceEvent {
    /// One line, as `handshake resolve --trace` prints it.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            TraceEvent::Asked {
                server,
                zone,
                question,
            } => write!(
                f,
                "asked {server} (for {zone}) {} {}",
                question.name, question.qtype
            ),
            TraceEvent::Referral { zone, servers } => {
                write!(f, "referral to {zone}")?;
                for (i, s) in servers.iter().enumerate() {
                    f.write_str(if i == 0 { " via " } else { ", " })?;
                    write!(f, "{s}")?;
                }
                Ok(())
            }
            TraceEvent::Cname { from, to } => write!(f, "CNAME {from} -> {to}"),
            TraceEvent::Rejected { server, why } => write!(f, "ignored {server}: {why}"),
            TraceEvent::Truncated { server } => {
                write!(f, "truncated by {server}: retrying over TCP")
            }
        }
    }
}

#[derive(Debug, Clone)]
struct NameServer {
    name: Name,
    addrs: Vec<IpAddr>,
    /// Asked for its address already (nested lookup done or failed).
    looked_up: bool,
}

/// A zone cut and the servers for it.
#[derive(Debug, Clone)]
struct Cut {
    zone: Name,
    servers: Vec<NameServer>,
    /// Addresses already tried at this cut (for the current query name).
    tried: Vec<IpAddr>,
    /// With QNAME minimisation: labels of the name sent to this cut's servers.
    labels: usize,
}

impl Cut {
    fn new(zone: Name, servers: Vec<NameServer>) -> Cut {
        let labels = zone.label_count() + 1;
        Cut {
            zone,
            servers,
            tried: Vec::new(),
            labels,
        }
    }
}

#[derive(Debug)]
enum Waiting {
    Nothing,
    Response {
        outstanding: Outstanding,
        tcp: bool,
        /// Handed to the caller already.
        sent: bool,
    },
    /// A nested lookup of a name server's address.
    Nested {
        child: Box<Iterative>,
        server: usize,
    },
}

/// An iterative lookup in progress.
///
/// ```
/// use handshake_dns::{IterConfig, Iterative, Step};
/// use handshake_dns::wire::{Question, RecordType};
/// use rand_chacha::rand_core::SeedableRng;
/// let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
/// let hints = vec![("a.root-servers.net".parse().unwrap(), vec!["198.41.0.4".parse().unwrap()])];
/// let mut lookup = Iterative::new(Question::new("example.com".parse().unwrap(), RecordType::A), &hints, IterConfig::default());
/// match lookup.poll(&mut rng) {
///     Step::Query { server, message, tcp } => {
///         assert_eq!(server, "198.41.0.4:53".parse().unwrap());
///         assert!(!message.header.recursion_desired && !tcp);
///     }
///     other => panic!("{other:?}"),
/// }
/// ```
#[derive(Debug)]
pub struct Iterative {
    config: IterConfig,
    question: Question,
    /// The name being resolved now (after CNAMEs).
    qname: Name,
    hints: Vec<NameServer>,
    cut: Cut,
    cnames: Vec<Record>,
    referrals: u8,
    queries: u16,
    depth: u8,
    waiting: Waiting,
    done: Option<Outcome>,
    trace: Vec<TraceEvent>,
    /// The outstanding query carries a minimised name.
    sent_minimised: bool,
}

impl Iterative {
    /// A lookup of `question` starting from `root_hints` (server names and addresses).
    pub fn new(
        question: Question,
        root_hints: &[(Name, Vec<IpAddr>)],
        config: IterConfig,
    ) -> Iterative {
        let hints: Vec<NameServer> = root_hints
            .iter()
            .map(|(name, addrs)| NameServer {
                name: name.clone(),
                addrs: addrs.clone(),
                looked_up: true,
            })
            .collect();
        Iterative {
            config,
            qname: question.name.clone(),
            question,
            cut: Cut::new(Name::root(), hints.clone()),
            hints,
            cnames: Vec::new(),
            referrals: 0,
            queries: 0,
            depth: 0,
            waiting: Waiting::Nothing,
            done: None,
            trace: Vec::new(),
            sent_minimised: false,
        }
    }

    /// What happened so far, for a person to read.
    pub fn trace(&self) -> &[TraceEvent] {
        &self.trace
    }

    /// True while a query handed out by [`Iterative::poll`] awaits its
    /// response or timeout (a transport keeps listening while this holds).
    pub fn is_waiting(&self) -> bool {
        match &self.waiting {
            Waiting::Response { sent, .. } => *sent,
            Waiting::Nested { child, .. } => child.is_waiting(),
            Waiting::Nothing => false,
        }
    }

    /// Queries sent so far (nested lookups included).
    pub fn queries(&self) -> u16 {
        self.queries
    }

    /// The next step: a query to send (returned once), [`Step::Wait`] while it
    /// is out, or the outcome. Call again after feeding back each query's fate.
    pub fn poll(&mut self, rng: &mut impl RngCore) -> Step {
        loop {
            if let Some(done) = &self.done {
                return Step::Done(done.clone());
            }
            match &mut self.waiting {
                Waiting::Response { sent: true, .. } => return Step::Wait,
                Waiting::Response {
                    outstanding,
                    tcp,
                    sent,
                } => {
                    *sent = true;
                    let mut message =
                        Message::query(outstanding.id(), outstanding.question().clone());
                    // RFC 1034 §5.3.3: iterative queries do not ask for recursion.
                    message.header.recursion_desired = false;
                    return Step::Query {
                        server: outstanding.server(),
                        message,
                        tcp: *tcp,
                    };
                }
                Waiting::Nested { child, server } => {
                    let server = *server;
                    match child.poll(rng) {
                        Step::Done(outcome) => {
                            self.queries = self.queries.saturating_add(child.queries);
                            self.trace.append(&mut child.trace);
                            let ns = &mut self.cut.servers[server];
                            ns.looked_up = true;
                            if let Outcome::Answer { records, .. } = outcome {
                                ns.addrs.extend(records.iter().filter_map(|r| match r.data {
                                    RData::A(a) => Some(IpAddr::V4(a)),
                                    RData::Aaaa(a) => Some(IpAddr::V6(a)),
                                    _ => None,
                                }));
                            }
                            self.waiting = Waiting::Nothing;
                        }
                        step => return step,
                    }
                }
                Waiting::Nothing => {
                    if let Some(step) = self.next_query(rng) {
                        return step;
                    }
                }
            }
        }
    }

    /// Picks the next server to ask at the current cut, or starts a nested
    /// lookup for a server's address, or gives up.
    fn next_query(&mut self, rng: &mut impl RngCore) -> Option<Step> {
        if self.queries + self.nested_budget_used() >= self.config.max_queries {
            self.done = Some(Outcome::ServFail("query limit reached"));
            return None;
        }
        let untried = self
            .cut
            .servers
            .iter()
            .flat_map(|s| s.addrs.iter())
            .find(|a| !self.cut.tried.contains(a))
            .copied();
        if let Some(addr) = untried {
            self.cut.tried.push(addr);
            let server = SocketAddr::new(addr, 53);
            // RFC 9156 §3: send the zone's labels plus one, with QTYPE A,
            // until that is the whole name.
            let full = self.qname.label_count();
            self.sent_minimised = self.config.qname_minimisation && self.cut.labels < full;
            let question = if self.sent_minimised {
                let labels: Vec<&[u8]> = self.qname.labels().skip(full - self.cut.labels).collect();
                Question::new(
                    Name::from_labels(labels).unwrap_or_else(|_| self.qname.clone()),
                    RecordType::A,
                )
            } else {
                Question {
                    name: self.qname.clone(),
                    ..self.question.clone()
                }
            };
            let (outstanding, _) =
                Outstanding::new(rng, server, question.clone(), self.config.randomise_case);
            self.queries += 1;
            self.trace.push(TraceEvent::Asked {
                server,
                zone: self.cut.zone.clone(),
                question,
            });
            self.waiting = Waiting::Response {
                outstanding,
                tcp: false,
                sent: false,
            };
            return None;
        }
        // Every known address failed: look up a server name we have no address for.
        let nested = self
            .cut
            .servers
            .iter()
            .position(|s| !s.looked_up && s.addrs.is_empty());
        match nested {
            Some(i) if self.depth < self.config.max_depth => {
                let name = self.cut.servers[i].name.clone();
                // A server name inside the zone it serves needed glue; without it
                // the lookup would ask the same servers for it: a loop.
                if name.is_subdomain_of(&self.cut.zone) {
                    self.cut.servers[i].looked_up = true;
                    return None;
                }
                let hints: Vec<(Name, Vec<IpAddr>)> = self
                    .hints
                    .iter()
                    .map(|h| (h.name.clone(), h.addrs.clone()))
                    .collect();
                let mut child =
                    Iterative::new(Question::new(name, RecordType::A), &hints, self.config);
                child.depth = self.depth + 1;
                child.queries = 0;
                self.waiting = Waiting::Nested {
                    child: Box::new(child),
                    server: i,
                };
                None
            }
            Some(i) => {
                self.cut.servers[i].looked_up = true;
                None
            }
            None => {
                self.done = Some(Outcome::ServFail(
                    "no server for the zone answered usefully",
                ));
                None
            }
        }
    }

    fn nested_budget_used(&self) -> u16 {
        match &self.waiting {
            Waiting::Nested { child, .. } => child.queries,
            _ => 0,
        }
    }

    /// The outstanding query timed out: try the next server.
    pub fn handle_timeout(&mut self) {
        match &mut self.waiting {
            Waiting::Nested { child, .. } => child.handle_timeout(),
            Waiting::Response { outstanding, .. } => {
                self.trace.push(TraceEvent::Rejected {
                    server: outstanding.server(),
                    why: "timed out".into(),
                });
                self.waiting = Waiting::Nothing;
            }
            Waiting::Nothing => {}
        }
    }

    /// A response arrived from `from`. Responses that do not match the
    /// outstanding query (RFC 5452 §9.1) are ignored, so a forger has to
    /// guess; the query stays outstanding.
    pub fn handle_response(&mut self, from: SocketAddr, response: &Message) {
        let (outstanding, tcp) = match &mut self.waiting {
            Waiting::Nested { child, .. } => return child.handle_response(from, response),
            Waiting::Response {
                outstanding, tcp, ..
            } => (outstanding.clone(), *tcp),
            Waiting::Nothing => return,
        };
        if let Err(why) = outstanding.accept(from, response) {
            self.trace.push(TraceEvent::Rejected {
                server: from,
                why: why.to_string(),
            });
            return;
        }
        self.waiting = Waiting::Nothing;
        if response.header.truncated && !tcp {
            // RFC 7766 §5 / RFC 1035 §4.2.1: retry the same server over TCP.
            self.trace.push(TraceEvent::Truncated { server: from });
            self.waiting = Waiting::Response {
                outstanding,
                tcp: true,
                sent: false,
            };
            return;
        }
        self.digest(from, response);
    }

    fn reject(&mut self, server: SocketAddr, why: impl Into<String>) {
        self.trace.push(TraceEvent::Rejected {
            server,
            why: why.into(),
        });
    }

    /// Reads an accepted response: answer, CNAME, referral, negative, or useless.
    fn digest(&mut self, from: SocketAddr, m: &Message) {
        let zone = self.cut.zone.clone();
        // Anti-poisoning: only records at or below the zone the server serves count.
        let in_zone = |r: &&Record| r.name.is_subdomain_of(&zone);
        let rcode = m.rcode();
        if rcode != Rcode::NOERROR && rcode != Rcode::NXDOMAIN {
            return self.reject(from, format!("rcode {}", rcode.0));
        }
        let qname = self.qname.clone();
        let qtype = self.question.qtype;
        let answers: Vec<&Record> = m.answers.iter().filter(in_zone).collect();

        // Follow the CNAME chain as far as this response carries it.
        let mut name = qname.clone();
        let mut followed = Vec::new();
        loop {
            let direct: Vec<Record> = answers
                .iter()
                .filter(|r| r.name == name && (r.rtype() == qtype || qtype == RecordType::ANY))
                .map(|r| (*r).clone())
                .collect();
            if !direct.is_empty() {
                self.cnames.extend(followed);
                let mut cnames = self.cnames.clone();
                let mut records = direct;
                self.restore_case(&mut cnames);
                self.restore_case(&mut records);
                self.done = Some(Outcome::Answer { cnames, records });
                return;
            }
            let Some(cname) = answers
                .iter()
                .find(|r| r.name == name && r.rtype() == RecordType::CNAME)
            else {
                break;
            };
            let RData::Cname(target) = &cname.data else {
                break;
            };
            let target = target.clone();
            // RFC 1034 §3.6.2: a CNAME chain that comes back to a name is a loop.
            if target == self.question.name
                || self
                    .cnames
                    .iter()
                    .chain(&followed)
                    .any(|r| r.name == target)
            {
                self.done = Some(Outcome::ServFail("CNAME loop"));
                return;
            }
            if self.cnames.len() + followed.len() >= usize::from(self.config.max_cnames) {
                self.done = Some(Outcome::ServFail("CNAME chain too long"));
                return;
            }
            self.trace.push(TraceEvent::Cname {
                from: name.clone(),
                to: target.clone(),
            });
            followed.push((*cname).clone());
            name = target;
        }
        if !followed.is_empty() {
            // The chain left this response: start over for the target, from the root.
            self.cnames.extend(followed);
            self.qname = name;
            self.restart();
            return;
        }

        let soa = m
            .authorities
            .iter()
            .filter(in_zone)
            .find(|r| matches!(r.data, RData::Soa(_)))
            .cloned();
        if rcode == Rcode::NXDOMAIN {
            if m.header.authoritative {
                self.done = Some(Outcome::NxDomain {
                    cnames: self.cnames.clone(),
                    soa,
                });
            } else {
                self.reject(from, "NXDOMAIN without AA");
            }
            return;
        }

        // A referral: NS records for a zone strictly below ours and at or above the name.
        let child = m.authorities.iter().find_map(|r| match &r.data {
            RData::Ns(_)
                if r.name != zone
                    && r.name.is_subdomain_of(&zone)
                    && qname.is_subdomain_of(&r.name) =>
            {
                Some(r.name.clone())
            }
            _ => None,
        });
        if let Some(child) = child {
            // The cut and its servers keep the case the zone is written in,
            // not the 0x20 pattern of our query that the response echoed.
            let child = child.to_lowercase();
            if self.referrals >= self.config.max_referrals {
                self.done = Some(Outcome::ServFail("referral limit reached"));
                return;
            }
            self.referrals += 1;
            let servers: Vec<NameServer> = m
                .authorities
                .iter()
                .filter(|r| r.name == child)
                .filter_map(|r| match &r.data {
                    RData::Ns(ns) => Some(ns.to_lowercase()),
                    _ => None,
                })
                .map(|ns| {
                    // Glue is believed only for a server name inside the zone of
                    // the server that sent it (the bailiwick rule).
                    let addrs = if ns.is_subdomain_of(&zone) {
                        m.additionals
                            .iter()
                            .filter(|a| a.name == ns)
                            .filter_map(|a| match a.data {
                                RData::A(v4) => Some(IpAddr::V4(v4)),
                                RData::Aaaa(v6) => Some(IpAddr::V6(v6)),
                                _ => None,
                            })
                            .collect()
                    } else {
                        Vec::new()
                    };
                    NameServer {
                        name: ns,
                        addrs,
                        looked_up: false,
                    }
                })
                .collect();
            self.trace.push(TraceEvent::Referral {
                zone: child.clone(),
                servers: servers.iter().map(|s| s.name.clone()).collect(),
            });
            self.cut = Cut::new(child, servers);
            return;
        }

        if m.header.authoritative && self.sent_minimised {
            // RFC 9156 §3: the minimised name exists and no cut is there; one
            // more label, to the same servers.
            self.cut.labels += 1;
            self.cut.tried.clear();
            return;
        }
        if m.header.authoritative {
            self.done = Some(Outcome::NoData {
                cnames: self.cnames.clone(),
                soa,
            });
        } else {
            // Neither answer nor referral nor authority: a lame server.
            self.reject(from, "lame: no answer, no referral, not authoritative");
        }
    }

    /// Owner names come back in the random case DNS 0x20 put in our
    /// queries; give them the case the caller asked for (or the case the
    /// CNAME that led there was written in).
    fn restore_case(&self, records: &mut [Record]) {
        let asked: Vec<&Name> = core::iter::once(&self.question.name)
            .chain(self.cnames.iter().filter_map(|r| match &r.data {
                RData::Cname(t) => Some(t),
                _ => None,
            }))
            .collect();
        for r in records {
            if let Some(n) = asked.iter().find(|n| ***n == r.name) {
                r.name = (*n).clone();
            }
        }
    }

    fn restart(&mut self) {
        self.cut = Cut::new(Name::root(), self.hints.clone());
    }
}
