//! Defect 10: concurrent lookups on one resolver. A recursive server of the
//! test's own on 127.0.0.1 (an OS-chosen port) answers each query on a
//! thread of its own after a delay chosen by name, so a slow name does not
//! hold up a fast one on the server's side, and counts the queries it
//! receives for each name. Its answers carry TTL 0, which no cache keeps
//! (RFC 1035 §3.2.1), so every lookup that reaches the network is a query
//! at the server unless lookups in flight share one.

use std::collections::HashMap;
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use handshake_dns::wire::{Message, RData, Record, RecordType};
use handshake_dns::{Hosts, Outcome as Lookup, ResolvConf};
use handshake_io::resolver::{Resolver, Source, TraceStep, Upstream};

use crate::check;

/// How long the server keeps `slow.example.` waiting.
const SLOW: Duration = Duration::from_secs(2);

/// A server that answers A queries with 192.0.2.1, TTL 0, after a delay
/// per name; stopped (and its threads joined) on drop.
struct DelayingServer {
    addr: SocketAddr,
    counts: Arc<Mutex<HashMap<String, usize>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl DelayingServer {
    fn start(delay: fn(&str) -> Duration) -> Result<DelayingServer, String> {
        let sock = UdpSocket::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        sock.set_read_timeout(Some(Duration::from_millis(20)))
            .map_err(|e| e.to_string())?;
        let addr = sock.local_addr().map_err(|e| e.to_string())?;
        let counts = Arc::new(Mutex::new(HashMap::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (c, s) = (counts.clone(), stop.clone());
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
            stop,
            thread: Some(thread),
        })
    }

    /// Queries received for `qname` (lower case, with the final dot).
    fn count(&self, qname: &str) -> usize {
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

fn resolver(srv: &DelayingServer) -> Arc<Resolver> {
    let conf = ResolvConf {
        nameservers: vec![srv.addr],
        attempts: 1,
        timeout: Duration::from_secs(5),
        ..ResolvConf::default()
    };
    Arc::new(Resolver::new(Hosts::default(), Upstream::Stub(conf)))
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
}

/// A lookup of a fast name, started 100 ms after a lookup of a name the
/// server holds for 2 s, on the same resolver, ends in well under the 2 s:
/// one slow lookup does not block the others. With `&mut self` (the code
/// before the fix) the second lookup could only run after the first, at
/// about 2 s.
pub(super) fn concurrent_lookups_not_blocked() -> check::Checked {
    let srv = DelayingServer::start(|n| {
        if n == "slow.example." {
            SLOW
        } else {
            Duration::ZERO
        }
    })?;
    let r = resolver(&srv);
    let (fast, fast_took, slow) = runtime()?.block_on(async {
        let slow = tokio::spawn({
            let r = r.clone();
            async move { r.lookup("slow.example.", RecordType::A).await }
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        let t0 = Instant::now();
        let fast = r.lookup("fast.example.", RecordType::A).await;
        let took = t0.elapsed();
        (fast, took, slow.await)
    });
    let fast = fast.map_err(|e| format!("lookup of fast.example.: {e}"))?;
    let slow = slow
        .map_err(|e| format!("slow task: {e}"))?
        .map_err(|e| format!("lookup of slow.example.: {e}"))?;
    check::ensure(matches!(fast.outcome, Lookup::Answer { .. }), || {
        format!("fast.example. not answered: {fast:?}")
    })?;
    check::ensure(matches!(slow.outcome, Lookup::Answer { .. }), || {
        format!("slow.example. not answered: {slow:?}")
    })?;
    check::ensure(fast_took < Duration::from_secs(1), || {
        format!(
            "fast.example. took {fast_took:?} while slow.example. was pending; \
             want < 1 s (the slow answer takes 2 s)"
        )
    })?;
    Ok(())
}

/// Eight lookups of one name at once cause one query at the server; every
/// lookup gets the answer. The answer has TTL 0, so nothing is cached:
/// before the fix each lookup was a query of its own.
pub(super) fn identical_questions_coalesced() -> check::Checked {
    const N: usize = 8;
    let srv = DelayingServer::start(|_| Duration::from_millis(500))?;
    let r = resolver(&srv);
    let answers = runtime()?.block_on(async {
        let tasks: Vec<_> = (0..N)
            .map(|_| {
                let r = r.clone();
                tokio::spawn(async move { r.lookup("same.example.", RecordType::A).await })
            })
            .collect();
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await);
        }
        out
    });
    let mut coalesced = 0;
    for (i, a) in answers.into_iter().enumerate() {
        let a = a
            .map_err(|e| format!("task {i}: {e}"))?
            .map_err(|e| format!("lookup {i}: {e}"))?;
        check::ensure(
            matches!(a.outcome, Lookup::Answer { .. }) && a.source == Source::Network,
            || format!("lookup {i} not answered from the network: {a:?}"),
        )?;
        if a.trace
            .iter()
            .any(|s| matches!(s, TraceStep::Coalesced { .. }))
        {
            coalesced += 1;
        }
    }
    check::equal(
        "queries the server received for same.example.",
        srv.count("same.example."),
        1,
    )?;
    check::equal(
        "lookups that joined the one in flight (trace)",
        coalesced,
        N - 1,
    )?;
    // The answer was not cached (TTL 0): a later lookup asks again.
    runtime()?
        .block_on(r.lookup("same.example.", RecordType::A))
        .map_err(|e| format!("later lookup: {e}"))?;
    check::equal(
        "queries for same.example. after one more lookup (TTL 0: not cached)",
        srv.count("same.example."),
        2,
    )?;
    Ok(())
}
