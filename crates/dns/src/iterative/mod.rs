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
use alloc::string::ToString;
use alloc::vec::Vec;

use core::net::{IpAddr, SocketAddr};

use rand_core::RngCore;

use handshake_time::{Duration, Instant};

use crate::query::{Mismatch, Outstanding};
use crate::wire::{Message, Name, Question, RData, Record, RecordType};

mod digest;
mod infra;
mod outcome;
mod trace;

pub use infra::Infra;
pub use outcome::{Outcome, ServFail};
pub use trace::TraceEvent;

/// Non-matching datagrams traced per lookup; the rest are only counted
/// (issue 14, defect 7: a flood of forgeries costs no memory).
pub const MISMATCH_SAMPLE: usize = 16;

/// Limits and switches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IterConfig {
    /// Referrals followed in one lookup (the depth of the delegation chain).
    pub max_referrals: u8,
    /// Queries sent in one resolution, nested name-server lookups
    /// included: one budget, which a nested lookup draws on and does not
    /// reset (issue 14, defect 4).
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
    /// The longest one resolution may take, from [`Iterative::start`]
    /// (None: no overall limit, only the caller's per-query timeouts).
    pub time_limit: Option<Duration>,
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
            time_limit: Some(Duration::from_secs(30)),
        }
    }
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
    /// How the servers tried at this cut failed, for the SERVFAIL reason.
    failures: Failures,
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
            failures: Failures::default(),
            labels,
        }
    }
}

/// How the servers tried at one cut failed.
#[derive(Debug, Clone, Copy, Default)]
struct Failures {
    timeouts: u16,
    refused: u16,
    errors: u16,
    lame: u16,
}

impl Failures {
    /// Why no server of the cut gave an answer.
    fn reason(&self) -> ServFail {
        let f = *self;
        if f.lame > 0 {
            ServFail::Lame
        } else if f.refused > 0 && f.errors == 0 && f.timeouts == 0 {
            ServFail::AllServersRefused
        } else if f.errors + f.refused > 0 {
            ServFail::ServerError
        } else if f.timeouts > 0 {
            ServFail::Timeout
        } else {
            ServFail::NoServerAddress
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
        /// When it was handed out, if the caller gives the time.
        sent_at: Option<Instant>,
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
    /// Datagrams that did not match the outstanding query (all of them;
    /// only the first 16 (`MISMATCH_SAMPLE`) are traced).
    mismatched: u64,
    /// What this resolution learns about servers, lent by the caller.
    infra: Infra,
    /// The caller's clock, as last told ([`Iterative::handle_time`]).
    now: Option<Instant>,
    /// When the whole resolution gives up.
    deadline: Option<Instant>,
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
            mismatched: 0,
            infra: Infra::default(),
            now: None,
            deadline: None,
        }
    }

    /// Lends the lookup an infrastructure cache from earlier lookups (see
    /// [`Iterative::take_infra`]).
    pub fn with_infra(mut self, infra: Infra) -> Iterative {
        self.infra = infra;
        self
    }

    /// The infrastructure cache back, with what this lookup learnt.
    pub fn take_infra(&mut self) -> Infra {
        core::mem::take(&mut self.infra)
    }

    /// The infrastructure cache as it is now.
    pub fn infra(&self) -> &Infra {
        &self.infra
    }

    /// Starts the clock at `now`: the resolution gives up at `now` plus the
    /// configured [`IterConfig::time_limit`] (issue 14, defect 4).
    pub fn start(&mut self, now: Instant) {
        self.now = Some(now);
        self.deadline = self.config.time_limit.and_then(|d| now.checked_add(d));
    }

    /// The caller's clock as last told, None before [`Iterative::start`]
    /// or [`Iterative::handle_time`].
    pub fn last_time(&self) -> Option<Instant> {
        self.now
    }

    /// When the resolution gives up, if it has a deadline.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// The caller's clock: at or past the deadline the lookup ends in
    /// [`ServFail::Timeout`], whatever is outstanding.
    pub fn handle_time(&mut self, now: Instant) {
        self.now = Some(now);
        if let Waiting::Nested { child, .. } = &mut self.waiting {
            child.now = Some(now);
        }
        if self.done.is_none() && self.deadline.is_some_and(|d| now >= d) {
            self.waiting = Waiting::Nothing;
            self.done = Some(Outcome::ServFail(ServFail::Timeout));
        }
    }

    /// Datagrams ignored so far because they did not match the query
    /// outstanding (wrong source, ID, question, or not a message), nested
    /// lookups included. Only the first 16 (`MISMATCH_SAMPLE`) of each
    /// lookup are in the trace.
    pub fn mismatched(&self) -> u64 {
        let nested = match &self.waiting {
            Waiting::Nested { child, .. } => child.mismatched(),
            _ => 0,
        };
        self.mismatched.saturating_add(nested)
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
        match &self.waiting {
            Waiting::Nested { child, .. } => self.queries.max(child.queries()),
            _ => self.queries,
        }
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
                    sent_at,
                } => {
                    *sent = true;
                    *sent_at = self.now;
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
                            // The child drew on this resolution's budget.
                            self.queries = self.queries.max(child.queries);
                            self.mismatched = self.mismatched.saturating_add(child.mismatched);
                            self.infra = child.take_infra();
                            self.now = child.now.or(self.now);
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
        if self.queries >= self.config.max_queries {
            self.done = Some(Outcome::ServFail(ServFail::BudgetExhausted));
            return None;
        }
        // Servers not in back-off first, then the fastest (unbound's
        // server selection, without its randomisation within a band).
        let now = self.now.unwrap_or(Instant::ZERO);
        let untried = self
            .cut
            .servers
            .iter()
            .flat_map(|s| s.addrs.iter())
            .filter(|a| !self.cut.tried.contains(a))
            .min_by_key(|a| self.infra.preference(now, **a))
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
                sent_at: None,
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
                    Iterative::new(Question::new(name, RecordType::A), &hints, self.config)
                        .with_infra(self.take_infra());
                child.depth = self.depth + 1;
                // One budget for the resolution: the child goes on counting
                // from here (issue 14, defect 4).
                child.queries = self.queries;
                child.now = self.now;
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
                self.done = Some(Outcome::ServFail(self.cut.failures.reason()));
                None
            }
        }
    }

    /// The outstanding query timed out: try the next server, and
    /// remember that this one did not answer.
    pub fn handle_timeout(&mut self) {
        match &mut self.waiting {
            Waiting::Nested { child, .. } => child.handle_timeout(),
            Waiting::Response { outstanding, .. } => {
                let server = outstanding.server();
                self.trace.push(TraceEvent::Rejected {
                    server,
                    why: "timed out".into(),
                });
                let now = self.now.unwrap_or(Instant::ZERO);
                self.infra.record_timeout(now, server.ip());
                self.cut.failures.timeouts = self.cut.failures.timeouts.saturating_add(1);
                self.waiting = Waiting::Nothing;
            }
            Waiting::Nothing => {}
        }
    }

    /// A datagram (or a TCP message) arrived from `from`. Its header is
    /// checked before anything else in it is read (RFC 5452 §9.1: source,
    /// ID, QR; issue 14, defect 3), so a forgery is not parsed; then the
    /// message is parsed and handled as [`Iterative::handle_response`].
    pub fn handle_datagram(&mut self, from: SocketAddr, datagram: &[u8]) {
        let outstanding = match &mut self.waiting {
            Waiting::Nested { child, .. } => return child.handle_datagram(from, datagram),
            Waiting::Response { outstanding, .. } => outstanding,
            Waiting::Nothing => return,
        };
        match outstanding.accept_datagram(from, datagram) {
            Ok(m) => self.take_response(from, m),
            Err(why) => self.mismatch(from, &why),
        }
    }

    /// A response arrived from `from`. Responses that do not match the
    /// outstanding query (RFC 5452 §9.1) are ignored, so a forger has to
    /// guess; the query stays outstanding.
    pub fn handle_response(&mut self, from: SocketAddr, response: &Message) {
        let outstanding = match &mut self.waiting {
            Waiting::Nested { child, .. } => return child.handle_response(from, response),
            Waiting::Response { outstanding, .. } => outstanding,
            Waiting::Nothing => return,
        };
        match outstanding.accept(from, response) {
            Ok(()) => self.take_response(from, response.clone()),
            Err(why) => self.mismatch(from, &why),
        }
    }

    /// Counts a datagram that is not the response, and traces the first
    /// 16 (`MISMATCH_SAMPLE`) of them (issue 14, defect 7).
    fn mismatch(&mut self, from: SocketAddr, why: &Mismatch) {
        self.mismatched = self.mismatched.saturating_add(1);
        if self.mismatched <= MISMATCH_SAMPLE as u64 {
            self.trace.push(TraceEvent::Rejected {
                server: from,
                why: why.to_string(),
            });
        }
    }

    /// The response to the outstanding query, accepted.
    fn take_response(&mut self, from: SocketAddr, mut response: Message) {
        let Waiting::Response {
            outstanding,
            tcp,
            sent_at,
            ..
        } = core::mem::replace(&mut self.waiting, Waiting::Nothing)
        else {
            return;
        };
        let now = self.now.unwrap_or(Instant::ZERO);
        match (sent_at, self.now) {
            (Some(t0), Some(t1)) => self.infra.record_rtt(now, from.ip(), t1 - t0),
            _ => self.infra.record_answer(now, from.ip()),
        }
        if response.header.truncated && !tcp {
            // RFC 7766 §5 / RFC 1035 §4.2.1: retry the same server over TCP.
            self.trace.push(TraceEvent::Truncated { server: from });
            self.waiting = Waiting::Response {
                outstanding,
                tcp: true,
                sent: false,
                sent_at: None,
            };
            return;
        }
        // Names compressed against our question carry its 0x20 case: give
        // them the case of the name we were asked (issue 14, defect 2).
        crate::restore::restore_case(&mut response, &self.qname);
        self.digest(from, &response);
    }

    fn restart(&mut self) {
        self.cut = Cut::new(Name::root(), self.hints.clone());
    }
}
