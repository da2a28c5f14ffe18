//! Defect 10: concurrent lookups on one resolver, against a
//! [`DelayingServer`]: a slow name does not hold up a fast one on the
//! server's side, and its answers carry TTL 0, which no cache keeps (RFC
//! 1035 §3.2.1), so every lookup that reaches the network is a query at the
//! server unless lookups in flight share one.

use std::time::{Duration, Instant};

use handshake_dns::wire::RecordType;
use handshake_dns::Outcome as Lookup;
use handshake_io::resolver::{Source, TraceStep};

use crate::cases::dns::support::{runtime, shared_stub, DelayingServer};
use crate::check;

/// How long the server keeps `slow.example.` waiting.
const SLOW: Duration = Duration::from_secs(2);

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
    let r = shared_stub(srv.addr());
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
    let r = shared_stub(srv.addr());
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
