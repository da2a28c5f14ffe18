//! A connection's keys over its lifetime and its end: the automatic
//! KeyUpdate before a key's record limit (RFC 8446 §5.5, §4.6.3) and the
//! data a peer sends after its close_notify (§6.1).

use std::sync::Arc;

use handshake_tls::record::{ContentType, RecordKeys};
use handshake_tls::Event;

use super::super::support::{pair, pki, run_pair, LeafSpec, MemoryKeyLog};
use super::s;
use crate::check::{self, Checked};

/// Records per key in the automatic-update case: small, so a handful of
/// records crosses several limits.
const PER_KEY: u64 = 4;

pub(super) fn automatic_key_update() -> Checked {
    let p = pki(&LeafSpec::default())?;
    let (mut c, mut sv) = pair(&p, "localhost", |cc, sc| {
        cc.records_per_key = Some(PER_KEY);
        sc.trace = true;
    })?;
    run_pair(&mut c, &mut sv, |_, _| {});
    // 20 one-record messages, then one message of 10 records (1 KiB each).
    let mut sent = Vec::new();
    for i in 0..20u8 {
        let msg = vec![i; 100];
        c.send(&msg).map_err(s)?;
        sent.extend_from_slice(&msg);
    }
    let big: Vec<u8> = (0..10 * 16384u32).map(|i| (i % 251) as u8).collect();
    c.send(&big).map_err(s)?;
    sent.extend_from_slice(&big);
    let run = run_pair(&mut c, &mut sv, |_, _| {});
    check::equal("errors", (run.client_err, run.server_err), (None, None))?;
    let got: Vec<u8> = run
        .server_events
        .into_iter()
        .flat_map(|e| match e {
            Event::ApplicationData(d) => d,
            _ => Vec::new(),
        })
        .collect();
    check::ensure(got == sent, || {
        format!("server read {} of {} bytes", got.len(), sent.len())
    })?;
    // Each key protects at most PER_KEY records, its KeyUpdate included, so
    // PER_KEY - 1 application records: 30 records need ceil(30 / 3) = 10
    // keys, that is 9 KeyUpdates, none asking the server to update.
    let updates: Vec<String> = sv
        .trace()
        .iter()
        .map(|l| l.to_string())
        .filter(|l| l.starts_with("<- KeyUpdate"))
        .collect();
    check::equal("KeyUpdates the server read", updates.len(), 9)?;
    check::ensure(
        updates.iter().all(|l| l.contains("update_requested=false")),
        || format!("an update asked for the server's: {updates:?}"),
    )
}

pub(super) fn data_after_close_ignored() -> Checked {
    let p = pki(&LeafSpec::default())?;
    let log = Arc::new(MemoryKeyLog::default());
    let (mut c, mut sv) = pair(&p, "localhost", |cc, _| {
        cc.key_log = Some(log.clone());
    })?;
    run_pair(&mut c, &mut sv, |_, _| {});
    // The server's records, sealed here with its application traffic
    // secret (the server has sent nothing under it yet: no tickets).
    let n = c.negotiated().cloned().ok_or("client did not finish")?;
    let secret = log
        .get("SERVER_TRAFFIC_SECRET_0")
        .ok_or("no server traffic secret logged")?;
    let mut k = RecordKeys::from_secret(n.suite.aead(), n.suite.hash(), &secret);
    let mut seal = |typ, content: &[u8]| k.seal(typ, content, 0).map_err(s);
    // Control: a record sealed this way is read.
    c.read_tls(&seal(ContentType::ApplicationData, b"before")?)
        .map_err(s)?;
    check::equal(
        "the record before close_notify",
        c.poll_event(),
        Some(Event::ApplicationData(b"before".to_vec())),
    )?;
    // §6.1: close_notify and, in the same read, data after it.
    let mut bytes = seal(ContentType::Alert, &[1, 0])?;
    bytes.extend_from_slice(&seal(ContentType::ApplicationData, b"after, same read")?);
    c.read_tls(&bytes).map_err(s)?;
    check::equal("events at close", c.poll_event(), Some(Event::Closed))?;
    check::equal("after close_notify", c.poll_event(), None)?;
    // ... and in a later read: ignored too, no error, no event.
    c.read_tls(&seal(ContentType::ApplicationData, b"after, later")?)
        .map_err(s)?;
    check::equal("a later record", c.poll_event(), None)
}
