//! The stub resolver as a sans-IO state machine: it asks the recursive
//! servers of a [`ResolvConf`] (RD=1, RFC 1034 §5.3.1) as resolv.conf(5)
//! says — each candidate name of the search list in `ndots` order, for each
//! `attempts` rounds over the servers, `rotate` spreading the first server
//! asked, `timeout` for each query — retries over TCP when an answer is
//! truncated (RFC 7766 §5), and believes a response only when the one check
//! of [`Outstanding`] passes (RFC 5452 §9.1), over TCP as well (RFC 7766 §7).
//!
//! The caller supplies the time and the randomness, and moves the bytes:
//! [`Stub::handle_time`], [`Stub::poll`] (a query to send, a wait, or the
//! outcome), [`Stub::poll_timeout`] (when the outstanding query times out),
//! and back [`Stub::handle_datagram`], [`Stub::handle_timeout`] or
//! [`Stub::handle_error`].

use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use core::net::SocketAddr;

use rand_core::RngCore;

use handshake_time::{Duration, Instant};

use crate::iterative::{Outcome, ServFail, Step};
use crate::query::Outstanding;
use crate::trace::TraceStep;
use crate::wire::{Message, Name, Question, Rcode, RecordType};
use crate::ResolvConf;

/// A query handed out, or about to be.
#[derive(Debug)]
struct Pending {
    outstanding: Outstanding,
    message: Message,
    /// The candidate name as the search list made it (the trace shows it
    /// so, not in the random DNS 0x20 case of the query).
    question: Question,
    tcp: bool,
    /// Handed to the caller already.
    sent: bool,
    /// When it times out (set when it is handed out, if the caller gave the time).
    deadline: Option<Instant>,
}

/// A stub lookup in progress.
///
/// ```
/// use handshake_dns::{Outcome, ResolvConf, Step, Stub};
/// use handshake_dns::wire::{RData, Record, RecordType};
/// use handshake_time::{Duration, Instant};
/// use rand_chacha::rand_core::SeedableRng;
/// let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
/// let conf = ResolvConf::parse("nameserver 192.0.2.53\nsearch example\n");
/// let mut stub = Stub::new(&conf, "www", RecordType::A, 0);
/// stub.handle_time(Instant::ZERO);
/// let Step::Query { server, message, tcp: false } = stub.poll(&mut rng) else { panic!() };
/// // resolv.conf(5): "www" has fewer dots than ndots (1), so the search list comes first.
/// assert_eq!(message.questions[0].name.to_string(), "www.example.");
/// assert!(message.header.recursion_desired);
/// // The query times out 5 s (glibc's default) after it was handed out.
/// assert_eq!(stub.poll_timeout(), Some(Instant::ZERO + Duration::from_secs(5)));
/// let mut answer = message.response();
/// let a = Record::new(message.questions[0].name.clone(), 60, RData::A([192, 0, 2, 1].into()));
/// answer.answers.push(a);
/// stub.handle_datagram(server, &answer.to_bytes().unwrap());
/// assert!(matches!(stub.poll(&mut rng), Step::Done(Outcome::Answer { .. })));
/// ```
#[derive(Debug)]
pub struct Stub {
    rtype: RecordType,
    servers: Vec<SocketAddr>,
    attempts: u8,
    timeout: Duration,
    rotate: bool,
    randomise_case: bool,
    candidates: Vec<Name>,
    /// The candidate being asked.
    candidate: usize,
    /// The server asked first in each round (moves with `rotate`).
    first: usize,
    /// Queries given up on for the current candidate (timeouts and errors
    /// count; each is one slot of `attempts` rounds over the servers).
    slot: usize,
    refused: u16,
    errors: u16,
    pending: Option<Pending>,
    done: Option<Outcome>,
    /// The outcome of the last candidate that ended.
    last: Outcome,
    trace: Vec<TraceStep>,
    queries: usize,
    mismatched: u64,
    now: Option<Instant>,
    /// The last response believed (not a truncated one), kept for
    /// [`Stub::last_response`] by a [`Stub::exchange`].
    response: Option<Box<Message>>,
    keep_response: bool,
}

impl Stub {
    /// A lookup of `name` (as typed: its dots decide the search order) for
    /// `rtype`, asking `conf`'s servers, the first round starting with
    /// server number `first` (modulo their count; see [`Stub::next_first`]).
    pub fn new(conf: &ResolvConf, name: &str, rtype: RecordType, first: usize) -> Stub {
        let servers = conf.nameservers.clone();
        Stub {
            rtype,
            first: first.checked_rem(servers.len()).unwrap_or(0),
            servers,
            attempts: conf.attempts.max(1),
            timeout: conf.timeout,
            rotate: conf.rotate,
            randomise_case: false,
            candidates: conf.candidates(name),
            candidate: 0,
            slot: 0,
            refused: 0,
            errors: 0,
            pending: None,
            done: None,
            last: Outcome::ServFail(ServFail::Timeout),
            trace: Vec::new(),
            queries: 0,
            mismatched: 0,
            now: None,
            response: None,
            keep_response: false,
        }
    }

    /// One exchange of `message` as given (its ID, flags and question, no
    /// 0x20 applied) with `server`: one attempt, `timeout` to wait, and the
    /// retry over TCP after TC=1 (RFC 7766 §5) — `dig`'s single query, with
    /// the same checks. [`Stub::last_response`] then holds what the server
    /// said, whatever its RCODE. None unless `message` has one question.
    pub fn exchange(server: SocketAddr, message: Message, timeout: Duration) -> Option<Stub> {
        let outstanding = Outstanding::for_query(server, &message)?;
        let question = outstanding.question().clone();
        let conf = ResolvConf {
            nameservers: alloc::vec![server],
            search: Vec::new(),
            timeout,
            attempts: 1,
            ..ResolvConf::default()
        };
        let mut stub = Stub::new(&conf, ".", question.qtype, 0);
        stub.candidates = alloc::vec![question.name.clone()];
        stub.keep_response = true;
        stub.pending = Some(Pending {
            outstanding,
            message,
            question,
            tcp: false,
            sent: false,
            deadline: None,
        });
        Some(stub)
    }

    /// The last response believed, whatever its RCODE (a truncated UDP
    /// answer is not kept: its TCP retry is).
    pub fn last_response(&self) -> Option<&Message> {
        self.response.as_deref()
    }

    /// DNS 0x20: randomise the case of every query name (off by default: a
    /// recursive server may answer in another case, and the stub would
    /// then wait for a response that never matches).
    pub fn with_randomised_case(mut self, on: bool) -> Stub {
        self.randomise_case = on;
        self
    }

    /// The caller's clock.
    pub fn handle_time(&mut self, now: Instant) {
        self.now = Some(now);
    }

    /// The server the next lookup should ask first: with `rotate`, the one
    /// after the server that last answered (resolv.conf(5) `rotate`);
    /// without it, always the first.
    pub fn next_first(&self) -> usize {
        self.first
    }

    /// What happened so far: one [`TraceStep::Stub`] per query (and a
    /// [`TraceStep::StubTruncated`] before each retry over TCP).
    pub fn trace(&self) -> &[TraceStep] {
        &self.trace
    }

    /// Queries sent so far, the retries over TCP included.
    pub fn queries(&self) -> usize {
        self.queries
    }

    /// Datagrams ignored because they did not match the outstanding query
    /// (wrong source, ID or question, or not a message).
    pub fn mismatched(&self) -> u64 {
        self.mismatched
    }

    /// True while a query handed out by [`Stub::poll`] awaits its response,
    /// its timeout or its failure.
    pub fn is_waiting(&self) -> bool {
        self.pending.as_ref().is_some_and(|p| p.sent)
    }

    /// When the outstanding query times out: the time it was handed out
    /// plus the configured timeout (None when nothing is out, or when the
    /// caller gave no time before [`Stub::poll`]).
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.pending
            .as_ref()
            .filter(|p| p.sent)
            .and_then(|p| p.deadline)
    }

    /// The next step: a query to send (returned once), [`Step::Wait`] while
    /// it is out, or the outcome.
    pub fn poll(&mut self, rng: &mut impl RngCore) -> Step {
        loop {
            if let Some(done) = &self.done {
                return Step::Done(done.clone());
            }
            match &mut self.pending {
                Some(p) if p.sent => return Step::Wait,
                Some(p) => {
                    p.sent = true;
                    p.deadline = self.now.and_then(|t| t.checked_add(self.timeout));
                    self.queries += 1;
                    return Step::Query {
                        server: p.outstanding.server(),
                        message: p.message.clone(),
                        tcp: p.tcp,
                    };
                }
                None => self.next_query(rng),
            }
        }
    }

    /// Readies the next query: the next server of the round, the next
    /// round, the next candidate name, or the end.
    fn next_query(&mut self, rng: &mut impl RngCore) {
        let n = self.servers.len();
        if n == 0 {
            self.done = Some(Outcome::ServFail(ServFail::NoServerAddress));
            return;
        }
        if self.slot >= usize::from(self.attempts) * n {
            // Every round over every server failed for this candidate.
            self.last = Outcome::ServFail(if self.errors > 0 {
                ServFail::ServerError
            } else if self.refused > 0 {
                ServFail::AllServersRefused
            } else {
                ServFail::Timeout
            });
            self.next_candidate();
            return;
        }
        let Some(name) = self.candidates.get(self.candidate) else {
            self.done = Some(self.last.clone());
            return;
        };
        let server = self.servers[(self.first + self.slot % n) % n];
        let question = Question::new(name.clone(), self.rtype);
        let (outstanding, message) =
            Outstanding::new(rng, server, question.clone(), self.randomise_case);
        self.pending = Some(Pending {
            outstanding,
            message,
            question,
            tcp: false,
            sent: false,
            deadline: None,
        });
    }

    fn next_candidate(&mut self) {
        self.candidate += 1;
        self.slot = 0;
        self.refused = 0;
        self.errors = 0;
        if self.candidate >= self.candidates.len() {
            self.done = Some(self.last.clone());
        }
    }

    /// The outstanding query failed without an answer: trace why, and move
    /// on to the next server.
    fn give_up(&mut self, why: String) {
        if let Some(p) = self.pending.take() {
            self.trace.push(TraceStep::Stub {
                server: p.outstanding.server(),
                question: p.question,
                reply: Err(why),
            });
            self.slot += 1;
        }
    }

    /// The time is `now`: if it is at or past [`Stub::poll_timeout`], the
    /// outstanding query has timed out and the next server is tried.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.now = Some(now);
        if self.poll_timeout().is_some_and(|d| now >= d) {
            self.give_up("timed out".to_string());
        }
    }

    /// The outstanding query's exchange failed (an ICMP error, a refused or
    /// reset TCP connection): the server is skipped as if it had timed out.
    pub fn handle_error(&mut self, why: &str) {
        if self.is_waiting() {
            self.give_up(why.to_string());
        }
    }

    /// A datagram, or a message read from the TCP connection (`from` the
    /// connection's peer), arrived. It is believed only if it passes
    /// [`Outstanding::accept_datagram`] — the header's source, ID and QR
    /// before anything is parsed, then the question letter for letter (RFC
    /// 5452 §9.1; RFC 7766 §7) — else it is counted and ignored, and the
    /// query stays outstanding.
    pub fn handle_datagram(&mut self, from: SocketAddr, datagram: &[u8]) {
        let Some(p) = self.pending.as_ref().filter(|p| p.sent) else {
            return;
        };
        match p.outstanding.accept_datagram(from, datagram) {
            Ok(m) => self.take_response(m),
            Err(_) => self.mismatched = self.mismatched.saturating_add(1),
        }
    }

    /// [`Stub::handle_datagram`] for a message already parsed: the same
    /// check, [`Outstanding::accept`].
    pub fn handle_response(&mut self, from: SocketAddr, response: &Message) {
        let Some(p) = self.pending.as_ref().filter(|p| p.sent) else {
            return;
        };
        match p.outstanding.accept(from, response) {
            Ok(()) => self.take_response(response.clone()),
            Err(_) => self.mismatched = self.mismatched.saturating_add(1),
        }
    }

    /// The response to the outstanding query, accepted.
    fn take_response(&mut self, mut m: Message) {
        let Some(mut p) = self.pending.take() else {
            return;
        };
        let server = p.outstanding.server();
        if m.header.truncated && !p.tcp {
            // RFC 7766 §5 (RFC 1035 §4.2.1): a truncated answer is asked
            // again of the same server over TCP.
            self.trace.push(TraceStep::StubTruncated { server });
            p.tcp = true;
            p.sent = false;
            p.deadline = None;
            self.pending = Some(p);
            return;
        }
        let rcode = m.rcode();
        if self.keep_response {
            self.response = Some(Box::new(m.clone()));
        }
        self.trace.push(TraceStep::Stub {
            server,
            question: p.question.clone(),
            reply: Ok(rcode),
        });
        // RFC 1035 §7.2: a server that refuses or fails is no answer;
        // another server may give one.
        if rcode == Rcode::REFUSED {
            self.refused = self.refused.saturating_add(1);
            self.slot += 1;
            return;
        }
        if rcode == Rcode::SERVFAIL {
            self.errors = self.errors.saturating_add(1);
            self.slot += 1;
            return;
        }
        if self.rotate {
            let n = self.servers.len();
            self.first = (self.first + self.slot % n + 1) % n;
        }
        // Names compressed against the question carry its 0x20 case.
        crate::restore::restore_case(&mut m, &p.question.name);
        // Only the question's own chain counts (RFC 1034 §5.3.3).
        self.last = Outcome::from_response(&p.question, &m);
        if matches!(self.last, Outcome::NxDomain { .. }) {
            // resolv.conf(5): the name does not exist; try the next candidate.
            self.next_candidate();
        } else {
            self.done = Some(self.last.clone());
        }
    }
}
