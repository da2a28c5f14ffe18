//! `tls.property.*`: for random suites, groups, record sizes and data, our
//! client and server derive the same secrets and deliver the same bytes
//! whether each flight arrives whole, one byte at a time (every split point
//! of the stream), or in random pieces.

use std::sync::Arc;

use handshake_tls::{CipherSuite, Event, NamedGroup};
use proptest::prelude::*;

use super::support::{pair, pki, LeafSpec, MemoryKeyLog, Pki};
use crate::{check_property, Case, Ctx};

type Outcome = (
    Vec<(String, Vec<u8>)>,
    Vec<(String, Vec<u8>)>,
    Vec<u8>,
    Vec<u8>,
);

/// One run; `split` says how long each piece of a flight is.
fn run(
    p: &Pki,
    suite: CipherSuite,
    group: NamedGroup,
    frag: usize,
    data: &[u8],
    split: &mut dyn FnMut() -> usize,
) -> Result<Outcome, String> {
    let (cl, sl) = (
        Arc::new(MemoryKeyLog::default()),
        Arc::new(MemoryKeyLog::default()),
    );
    let (c2, s2) = (cl.clone(), sl.clone());
    let (mut c, mut s) = pair(p, "localhost", move |cc, sc| {
        cc.cipher_suites = vec![suite];
        cc.groups = vec![group];
        cc.max_fragment = frag;
        cc.key_log = Some(c2);
        sc.max_fragment = frag;
        sc.key_log = Some(s2);
    })?;
    let (mut to_server, mut to_client) = (Vec::new(), Vec::new());
    let mut sent = false;
    for _ in 0..64 {
        let mut moved = false;
        if let Some(b) = c.poll_transmit() {
            moved = true;
            let mut at = 0;
            while at < b.len() {
                let n = split().clamp(1, b.len() - at);
                s.read_tls(&b[at..at + n])
                    .map_err(|e| format!("server: {e}"))?;
                at += n;
            }
        }
        if let Some(b) = s.poll_transmit() {
            moved = true;
            let mut at = 0;
            while at < b.len() {
                let n = split().clamp(1, b.len() - at);
                c.read_tls(&b[at..at + n])
                    .map_err(|e| format!("client: {e}"))?;
                at += n;
            }
        }
        while let Some(e) = c.poll_event() {
            if let Event::ApplicationData(d) = e {
                to_client.extend_from_slice(&d);
            }
        }
        while let Some(e) = s.poll_event() {
            if let Event::ApplicationData(d) = e {
                to_server.extend_from_slice(&d);
            }
        }
        if !sent && !c.is_handshaking() && !s.is_handshaking() {
            sent = true;
            moved = true;
            c.send(data).map_err(|e| e.to_string())?;
            s.send(&data[..data.len() / 2]).map_err(|e| e.to_string())?;
        }
        if !moved {
            break;
        }
    }
    Ok((cl.all(), sl.all(), to_server, to_client))
}

fn splits(ctx: &Ctx) -> crate::Outcome {
    let p = match pki(&LeafSpec::default()) {
        Ok(p) => p,
        Err(e) => return crate::Outcome::Fail(e),
    };
    // Each input runs three handshakes, one of them byte by byte.
    let mut few = ctx.clone();
    few.property_cases = ctx.property_cases.min(12);
    let strategy = (
        0..3usize,
        0..2usize,
        1..=16384usize,
        proptest::collection::vec(any::<u8>(), 0..20000),
        any::<u64>(),
    );
    check_property(&few, strategy, |(si, gi, frag, data, seed)| {
        let (suite, group) = (CipherSuite::ALL[si], NamedGroup::ALL[gi]);
        let whole =
            run(&p, suite, group, frag, &data, &mut || usize::MAX).map_err(TestCaseError::fail)?;
        prop_assert!(!whole.0.is_empty(), "no secrets logged");
        prop_assert_eq!(&whole.0, &whole.1, "client and server secrets differ");
        prop_assert_eq!(&whole.2, &data);
        prop_assert_eq!(&whole.3, &data[..data.len() / 2].to_vec());
        let bytewise =
            run(&p, suite, group, frag, &data, &mut || 1).map_err(TestCaseError::fail)?;
        prop_assert_eq!(&bytewise, &whole, "byte-at-a-time delivery differs");
        let mut x = seed | 1;
        let random = run(&p, suite, group, frag, &data, &mut || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % 3000) as usize + 1
        })
        .map_err(TestCaseError::fail)?;
        prop_assert_eq!(&random, &whole, "random pieces differ");
        Ok(())
    })
}

/// The `tls.property.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![Case::must(
        "tls.property.split-points-same-keys-and-bytes",
        "RFC 8446 §5.1, §7.1",
    )
    .property(|ctx: &mut Ctx| splits(ctx))]
}
