//! `tls.property.*`: for random suites, groups, record sizes and data, our
//! client and server derive the same secrets and deliver the same bytes
//! whether each flight arrives whole, one byte at a time (every split point
//! of the stream), or in random pieces; in TLS 1.3 and in TLS 1.2.

use std::sync::Arc;

use handshake_tls::suites::TLS12;
use handshake_tls::{CipherSuite, Event, NamedGroup, Tls12Suite};
use proptest::prelude::*;

use super::support::{pair, pki, pki_for, LeafSpec, MemoryKeyLog, Ours, Pki};
use crate::{check_property, Case, Ctx};

type Outcome = (
    Vec<(String, Vec<u8>)>,
    Vec<(String, Vec<u8>)>,
    Vec<u8>,
    Vec<u8>,
);

/// Hands `flight` to `read` in pieces as long as `split` says (at least 1).
fn in_pieces(
    flight: &[u8],
    split: &mut dyn FnMut() -> usize,
    read: &mut dyn FnMut(&[u8]) -> Result<(), String>,
) -> Result<(), String> {
    let mut at = 0;
    while at < flight.len() {
        let n = split().clamp(1, flight.len() - at);
        read(&flight[at..at + n])?;
        at += n;
    }
    Ok(())
}

/// Passes `from`'s next flight, if it has one, to `to` (`who`, named in an
/// error) in pieces; false when there was nothing to pass.
fn pass_flight(
    from: &mut dyn Ours,
    to: &mut dyn Ours,
    who: &str,
    split: &mut dyn FnMut() -> usize,
) -> Result<bool, String> {
    let Some(flight) = from.take() else {
        return Ok(false);
    };
    in_pieces(&flight, split, &mut |piece| {
        to.give(piece).map_err(|e| format!("{who}: {e}"))
    })?;
    Ok(true)
}

/// One run; `split` says how long each piece of a flight is.
fn run(
    p: &Pki,
    suite: CipherSuite,
    group: NamedGroup,
    tls12: Option<Tls12Suite>,
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
        sc.groups = vec![group];
        cc.max_fragment = frag;
        cc.key_log = Some(c2);
        sc.max_fragment = frag;
        sc.key_log = Some(s2);
        if let Some(s12) = tls12 {
            cc.tls12_suites = vec![s12];
            sc.tls12_suites = vec![s12];
            sc.versions = vec![TLS12];
        }
    })?;
    let (mut to_server, mut to_client) = (Vec::new(), Vec::new());
    let mut sent = false;
    for _ in 0..64 {
        let mut moved = pass_flight(&mut c, &mut s, "server", split)?;
        moved |= pass_flight(&mut s, &mut c, "client", split)?;
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
        0..CipherSuite::ALL.len(),
        0..NamedGroup::ALL.len(),
        1..=16384usize,
        proptest::collection::vec(any::<u8>(), 0..20000),
        any::<u64>(),
    );
    check_property(&few, strategy, |(si, gi, frag, data, seed)| {
        let (suite, group) = (CipherSuite::ALL[si], NamedGroup::ALL[gi]);
        let whole = run(&p, suite, group, None, frag, &data, &mut || usize::MAX)
            .map_err(TestCaseError::fail)?;
        prop_assert!(!whole.0.is_empty(), "no secrets logged");
        prop_assert_eq!(&whole.0, &whole.1, "client and server secrets differ");
        prop_assert_eq!(&whole.2, &data);
        prop_assert_eq!(&whole.3, &data[..data.len() / 2].to_vec());
        let bytewise =
            run(&p, suite, group, None, frag, &data, &mut || 1).map_err(TestCaseError::fail)?;
        prop_assert_eq!(&bytewise, &whole, "byte-at-a-time delivery differs");
        let mut x = seed | 1;
        let random = run(&p, suite, group, None, frag, &data, &mut || {
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

/// The same property over every TLS 1.2 suite (RSA key exchange included).
fn splits12(ctx: &Ctx) -> crate::Outcome {
    let pkis = match (
        pki_for(Tls12Suite::EcdheEcdsaWithAes128GcmSha256),
        pki_for(Tls12Suite::RsaWithAes128GcmSha256),
    ) {
        (Ok(e), Ok(r)) => (e, r),
        (Err(e), _) | (_, Err(e)) => return crate::Outcome::Fail(e),
    };
    let mut few = ctx.clone();
    few.property_cases = ctx.property_cases.min(12);
    let strategy = (
        0..Tls12Suite::ALL.len(),
        0..NamedGroup::DEFAULT.len(),
        1..=16384usize,
        proptest::collection::vec(any::<u8>(), 0..20000),
        any::<u64>(),
    );
    check_property(&few, strategy, |(si, gi, frag, data, seed)| {
        let s12 = Tls12Suite::ALL[si];
        let p = if super::support::kind_for(s12) == super::support::KeyKind::P256 {
            &pkis.0
        } else {
            &pkis.1
        };
        let (suite, group) = (CipherSuite::Aes128GcmSha256, NamedGroup::DEFAULT[gi]);
        let go = |split: &mut dyn FnMut() -> usize| {
            run(p, suite, group, Some(s12), frag, &data, split).map_err(TestCaseError::fail)
        };
        let whole = go(&mut || usize::MAX)?;
        prop_assert!(!whole.0.is_empty(), "no secrets logged");
        prop_assert_eq!(
            &whole.0,
            &whole.1,
            "client and server master secrets differ"
        );
        prop_assert_eq!(&whole.2, &data);
        prop_assert_eq!(&whole.3, &data[..data.len() / 2].to_vec());
        prop_assert_eq!(&go(&mut || 1)?, &whole, "byte-at-a-time delivery differs");
        let mut x = seed | 1;
        let random = go(&mut || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % 3000) as usize + 1
        })?;
        prop_assert_eq!(&random, &whole, "random pieces differ");
        Ok(())
    })
}

/// The `tls.property.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::must(
            "tls.property.split-points-same-keys-and-bytes",
            "RFC 8446 §5.1, §7.1",
        )
        .property(|ctx: &mut Ctx| splits(ctx)),
        Case::must(
            "tls.property.tls12-split-points-same-keys-and-bytes",
            "RFC 5246 §6.2.1, §6.3, §8.1",
        )
        .property(|ctx: &mut Ctx| splits12(ctx)),
    ]
}
