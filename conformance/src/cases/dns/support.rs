//! Helpers shared by the cases of more than one group (no cases here).

use crate::peers::dns_server::{answering, DnsServer};
use crate::Ctx;
use handshake_dns::wire::{Message, Name, Question, RData, Rcode, Record, RecordType};
use handshake_dns::{Hosts, Outstanding, ResolvConf};
use handshake_io::resolver::{BlockingResolver, Resolver, Upstream};
use std::collections::{BTreeSet, HashMap};
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// The SOA of `example.` with this record TTL and MINIMUM.
pub(crate) fn soa_record(ttl: u32, minimum: u32) -> Record {
    Record::new(
        name("example"),
        ttl,
        RData::Soa(Box::new(handshake_dns::wire::Soa {
            mname: name("ns.example"),
            rname: name("hostmaster.example"),
            serial: 1,
            refresh: 7200,
            retry: 3600,
            expire: 1_209_600,
            minimum,
        })),
    )
}

pub(crate) fn name(s: &str) -> Name {
    s.parse().expect("case names are valid")
}

/// A comparable view of an answer: the rcode and the answer section as a set
/// of (owner, type, RDATA) in lower case, TTLs left out (unbound counts them down).
pub(crate) type Comparable = (u16, RecordSet);

/// Answer records as (owner, type, RDATA) strings.
pub(crate) type RecordSet = BTreeSet<(String, String, String)>;

pub(crate) fn comparable(rcode: Rcode, records: &[Record]) -> Comparable {
    let set = records
        .iter()
        .map(|r| {
            (
                r.name.to_lowercase().to_string(),
                r.rtype().to_string(),
                format!("{:?}", r.data).to_ascii_lowercase(),
            )
        })
        .collect();
    (rcode.0, set)
}

pub(crate) fn ours(outcome: handshake_dns::Outcome) -> Comparable {
    use handshake_dns::Outcome as O;
    match outcome {
        O::Answer {
            mut cnames,
            records,
        } => {
            cnames.extend(records);
            comparable(Rcode::NOERROR, &cnames)
        }
        O::NxDomain { cnames, .. } => comparable(Rcode::NXDOMAIN, &cnames),
        O::NoData { cnames, .. } => comparable(Rcode::NOERROR, &cnames),
        O::ServFail(_) => comparable(Rcode::SERVFAIL, &[]),
    }
}

/// dig's view of one query to unbound: status and answer records as
/// (owner, type, RDATA) in presentation format, except that records of the
/// types in `generic` (type numbers our codec has no mnemonic for, which it
/// prints as RFC 3597 §5 `TYPEnn \# len hex`) come as dig prints them with
/// `+unknownformat`, their type read as a number.
pub(crate) fn dig_generic(q: &Question, generic: &[u16]) -> Result<(String, RecordSet), String> {
    let (status, named) = dig_as(q, false)?;
    if generic.is_empty() {
        return Ok((status, named));
    }
    let (_, raw) = dig_as(q, true)?;
    // With +unknownformat dig names every type `TYPEnn` (RFC 3597 §5);
    // otherwise hickory's table, which lacks DNAME (39, RFC 6672 §2.1).
    let number = |mnemonic: &str| match mnemonic {
        "DNAME" => Some(39),
        m if m.starts_with("TYPE") => m[4..].parse().ok(),
        m => m
            .parse::<hickory_proto::rr::RecordType>()
            .map(u16::from)
            .ok(),
    };
    let is_generic = |mnemonic: &str| number(mnemonic).is_some_and(|n| generic.contains(&n));
    let mut records: RecordSet = named
        .into_iter()
        .filter(|(_, t, _)| !is_generic(t))
        .collect();
    for (owner, t, data) in raw {
        if let Some(n) = number(&t).filter(|n| generic.contains(n)) {
            records.insert((owner, format!("TYPE{n}"), data));
        }
    }
    Ok((status, records))
}

fn dig_as(q: &Question, unknown_format: bool) -> Result<(String, RecordSet), String> {
    use crate::peers::dnsnet::UNBOUND;
    let out = std::process::Command::new("dig")
        .args([
            "+noall",
            "+comments",
            "+answer",
            "+tries=1",
            "+time=5",
            "-p",
            "53",
        ])
        .args(unknown_format.then_some("+unknownformat"))
        .arg(format!("@{}", UNBOUND.ip()))
        .arg(q.name.to_string())
        .arg(q.qtype.to_string())
        .output()
        .map_err(|e| format!("running dig: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let status = text
        .lines()
        .find_map(|l| l.split("status: ").nth(1))
        .and_then(|s| s.split(',').next())
        .ok_or_else(|| format!("no status in dig's output: {text}"))?
        .to_string();
    let records = text
        .lines()
        .filter(|l| !l.starts_with(';') && !l.trim().is_empty())
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() >= 5).then(|| {
                (
                    f[0].to_ascii_lowercase(),
                    f[3].to_string(),
                    f[4..].join(" "),
                )
            })
        })
        .collect();
    Ok((status, records))
}

pub(crate) fn names(c: &ResolvConf, input: &str) -> Vec<String> {
    c.candidates(input)
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// A server that answers `www.example.` A with 192.0.2.1, SERVFAIL when
/// `servfail`, NXDOMAIN otherwise.
pub(crate) fn server(servfail: bool) -> Result<DnsServer, String> {
    DnsServer::loopback(answering(move |q: &Message, _| {
        let mut r = q.response();
        r.header.recursion_available = true;
        let qq = q.questions.first()?;
        if servfail {
            r.set_rcode(Rcode::SERVFAIL);
        } else if qq.name.labels().nth(1) == Some(&b"example"[..]) && qq.qtype == RecordType::A {
            r.answers.push(Record::new(
                qq.name.clone(),
                300,
                RData::A([192, 0, 2, 1].into()),
            ));
        } else {
            r.set_rcode(Rcode::NXDOMAIN);
        }
        Some(r)
    }))
}

pub(crate) fn stub(conf: ResolvConf) -> Result<BlockingResolver, String> {
    BlockingResolver::new(Resolver::new(Hosts::default(), Upstream::Stub(conf)))
        .map_err(|e| e.to_string())
}

pub(crate) fn outstanding(ctx: &Ctx) -> (Outstanding, Message, SocketAddr) {
    let server: SocketAddr = "192.0.2.53:53".parse().expect("address");
    // 40 letters: 0x20 leaves it all lower case once in 2^40 seeds.
    let q = Question::new(
        name("abcdefghij.klmnopqrst.uvwxyzabcd.efghijklmn.example"),
        RecordType::AAAA,
    );
    let (pending, query) = Outstanding::new(&mut ctx.rng(), server, q, true);
    (pending, query, server)
}

/// Both upper and lower case letters in the name as sent: a DNS 0x20 pattern
/// that a forgery of the case (all lower, all upper) cannot match.
pub(crate) fn mixed_case(n: &Name) -> bool {
    let letters = || n.labels().flatten().filter(|b| b.is_ascii_alphabetic());
    letters().any(u8::is_ascii_uppercase) && letters().any(u8::is_ascii_lowercase)
}

/// A recursive server of the test's own on 127.0.0.1 (an OS-chosen port)
/// that answers A queries with 192.0.2.1, TTL 0, each on a thread of its
/// own after a delay chosen by name (so a slow name does not hold up a fast
/// one), counts the queries for each name and records where each came
/// from; stopped (and its threads joined) on drop.
pub(crate) struct DelayingServer {
    addr: SocketAddr,
    counts: Arc<Mutex<HashMap<String, usize>>>,
    clients: Arc<Mutex<Vec<SocketAddr>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl DelayingServer {
    pub(crate) fn start(delay: fn(&str) -> Duration) -> Result<DelayingServer, String> {
        let sock = UdpSocket::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        sock.set_read_timeout(Some(Duration::from_millis(20)))
            .map_err(|e| e.to_string())?;
        let addr = sock.local_addr().map_err(|e| e.to_string())?;
        let counts = Arc::new(Mutex::new(HashMap::new()));
        let clients = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (c, s, from) = (counts.clone(), stop.clone(), clients.clone());
        let thread = std::thread::spawn(move || {
            let mut replies: Vec<JoinHandle<()>> = Vec::new();
            let mut buf = [0u8; 1500];
            while !s.load(Ordering::Relaxed) {
                let Ok((n, client)) = sock.recv_from(&mut buf) else {
                    continue;
                };
                let Ok(query) = Message::parse(&buf[..n]) else {
                    continue;
                };
                let Some(q) = query.questions.first().cloned() else {
                    continue;
                };
                let qname = q.name.to_lowercase().to_string();
                from.lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push(client);
                *c.lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .entry(qname.clone())
                    .or_insert(0) += 1;
                let mut r = query.response();
                r.header.recursion_available = true;
                if q.qtype == RecordType::A {
                    r.answers
                        .push(Record::new(q.name, 0, RData::A([192, 0, 2, 1].into())));
                }
                let (Ok(bytes), Ok(out)) = (r.to_bytes(), sock.try_clone()) else {
                    continue;
                };
                let wait = delay(&qname);
                replies.push(std::thread::spawn(move || {
                    std::thread::sleep(wait);
                    let _ = out.send_to(&bytes, client);
                }));
            }
            for r in replies {
                let _ = r.join();
            }
        });
        Ok(DelayingServer {
            addr,
            counts,
            clients,
            stop,
            thread: Some(thread),
        })
    }

    /// Its address.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The source address of each query received, in order.
    pub(crate) fn clients(&self) -> Vec<SocketAddr> {
        self.clients
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Queries received for `qname` (lower case, with the final dot).
    pub(crate) fn count(&self, qname: &str) -> usize {
        self.counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(qname)
            .copied()
            .unwrap_or(0)
    }
}

impl Drop for DelayingServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A current-thread tokio runtime for a case that drives the async resolver.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
}

/// A stub resolver asking only `server` (once, 5 s), to share between tasks.
pub(crate) fn shared_stub(server: SocketAddr) -> Arc<Resolver> {
    let conf = ResolvConf {
        nameservers: vec![server],
        attempts: 1,
        timeout: Duration::from_secs(5),
        ..ResolvConf::default()
    };
    Arc::new(Resolver::new(Hosts::default(), Upstream::Stub(conf)))
}
