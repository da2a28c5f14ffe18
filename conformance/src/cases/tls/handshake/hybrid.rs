//! `tls.handshake.x25519mlkem768-*`: the post-quantum hybrid group
//! (draft-ietf-tls-ecdhe-mlkem; ML-KEM-768 from FIPS 203 with X25519) in
//! our client against our server. The hybrid's arithmetic is checked
//! against the `ml-kem` crate in handshake-crypto; these cases check what
//! TLS adds: the share sizes on the wire, HelloRetryRequest to the group,
//! the checks on malformed shares, and that TLS 1.2 never picks it.

use handshake_tls::extensions::Extension;
use handshake_tls::kx::KeyShare;
use handshake_tls::msgs::HandshakeMessage;
use handshake_tls::suites::TLS12;
use handshake_tls::{Error, NamedGroup};

use super::super::support::{self, pair, pki, records, run_pair, send_one_way, Dir, LeafSpec};
use super::s;
use crate::check::{self, Checked};

const HYBRID: NamedGroup = NamedGroup::X25519MlKem768;
/// draft-ietf-tls-ecdhe-mlkem §3: the client's share is the ML-KEM-768
/// encapsulation key (1184 bytes, FIPS 203 §8 table 3) then X25519's 32;
/// the server's is the ciphertext (1088 bytes) then X25519's 32.
const CLIENT_SHARE: usize = 1184 + 32;
const SERVER_SHARE: usize = 1088 + 32;

/// The key_exchange lengths of the key shares in the first handshake
/// message of `flight` (a ClientHello or ServerHello in the clear).
fn share_lengths(flight: &[u8]) -> Result<Vec<(u16, usize)>, String> {
    let rec = records(flight).into_iter().next().ok_or("empty flight")?;
    let msg = HandshakeMessage::parse(rec[5], &rec[9..]).map_err(s)?;
    let exts = match msg {
        HandshakeMessage::ClientHello(h) => h.extensions,
        HandshakeMessage::ServerHello(h) => h.extensions,
        _ => return Err("not a hello".into()),
    };
    Ok(exts
        .into_iter()
        .flat_map(|e| match e {
            Extension::KeyShares(v) => v,
            Extension::KeyShare(k) => vec![k],
            _ => Vec::new(),
        })
        .map(|k| (k.group, k.key_exchange.len()))
        .collect())
}

pub(super) fn full() -> Checked {
    let p = pki(&LeafSpec::default())?;
    let (mut c, mut sv) = pair(&p, "localhost", |cc, sc| {
        cc.groups = vec![HYBRID];
        sc.groups = vec![HYBRID];
    })?;
    let mut seen = Vec::new();
    let run = run_pair(&mut c, &mut sv, |_, b| {
        if seen.len() < 2 {
            seen.push(b.clone());
        }
    });
    run.completed("the hybrid handshake")?;
    check::equal(
        "ClientHello key shares",
        share_lengths(&seen[0])?,
        vec![(0x11ec, CLIENT_SHARE)],
    )?;
    check::equal(
        "ServerHello key share",
        share_lengths(&seen[1])?,
        vec![(0x11ec, SERVER_SHARE)],
    )?;
    check::equal(
        "negotiated group (client, server)",
        (
            c.negotiated().map(|n| n.group),
            sv.negotiated().map(|n| n.group),
        ),
        (Some(HYBRID), Some(HYBRID)),
    )?;
    send_one_way(
        &mut c,
        &mut sv,
        Dir::ToServer,
        b"post-quantum ping",
        "server got",
    )?;
    send_one_way(
        &mut c,
        &mut sv,
        Dir::ToClient,
        b"post-quantum pong",
        "client got",
    )?;
    Ok(())
}

pub(super) fn hello_retry() -> Checked {
    // The client's one share is X25519; the server takes only the hybrid.
    let p = pki(&LeafSpec::default())?;
    let (mut c, mut sv) = pair(&p, "localhost", |cc, sc| {
        cc.groups = vec![NamedGroup::X25519, HYBRID];
        sc.groups = vec![HYBRID];
    })?;
    let run = run_pair(&mut c, &mut sv, |_, _| {});
    run.completed("the retried handshake")?;
    let n = c.negotiated().cloned().ok_or("client did not finish")?;
    check::equal("group and retry", (n.group, n.hello_retry), (HYBRID, true))
}

pub(super) fn ciphertext_tampered() -> Checked {
    // A flipped bit in the server's ML-KEM ciphertext: decapsulation's
    // implicit rejection (FIPS 203 §6.3) yields a key the server does not
    // have, so the client cannot open the server's next record.
    let p = pki(&LeafSpec::default())?;
    let (mut c, mut sv) = pair(&p, "localhost", |cc, sc| {
        cc.groups = vec![HYBRID];
        sc.groups = vec![HYBRID];
    })?;
    let mut done = false;
    let run = run_pair(&mut c, &mut sv, |dir, b| {
        if dir == Dir::ToClient && !done {
            done = true;
            // The share ends the ServerHello record; its ciphertext part
            // lies 32 + 1 bytes before that end.
            let end = 5 + usize::from(u16::from_be_bytes([b[3], b[4]]));
            b[end - 33 - 100] ^= 0x01;
        }
    });
    // The client's bad_record_mac alert is sealed under its (different)
    // handshake keys, so the server cannot read it either.
    check::equal("client error", run.client_err, Some(Error::BadRecordMac))?;
    check::ensure(run.server_err.is_some(), || "the server went on".into())
}

pub(super) fn share_checks() -> Checked {
    let mut rng = support::rng(5);
    let bad = |r: Result<_, Error>| matches!(r, Err(Error::IllegalParameter { .. }));
    // Server side: a client share of the wrong length, and one whose
    // encapsulation key fails FIPS 203 §7.2's modulus check (a 12-bit
    // coefficient of 4095 >= q = 3329).
    let good = KeyShare::generate(HYBRID, &mut *rng).public();
    check::equal("client share length", good.len(), CLIENT_SHARE)?;
    let short = &good[..CLIENT_SHARE - 1];
    let mut over_q = good.clone();
    over_q[0] = 0xff;
    over_q[1] |= 0x0f;
    check::equal(
        "server on a short share, on a coefficient >= q",
        (
            bad(KeyShare::respond(HYBRID, short, &mut *rng).map(|_| ())),
            bad(KeyShare::respond(HYBRID, &over_q, &mut *rng).map(|_| ())),
        ),
        (true, true),
    )?;
    let (answer, _) = KeyShare::respond(HYBRID, &good, &mut *rng).map_err(s)?;
    check::equal("server share length", answer.len(), SERVER_SHARE)?;
    // Client side: a server share of the wrong length, and one whose
    // X25519 half is the low-order point 0 (an all-zero result, RFC 8446
    // §7.4.2).
    let client = KeyShare::generate(HYBRID, &mut *rng);
    let mut zero_x = answer.clone();
    zero_x[SERVER_SHARE - 32..].fill(0);
    check::equal(
        "client on a short share, on X25519 = 0",
        (
            bad(client.agree(&answer[..SERVER_SHARE - 1]).map(|_| ())),
            bad(client.agree(&zero_x).map(|_| ())),
        ),
        (true, true),
    )
}

pub(super) fn never_in_tls12() -> Checked {
    // Both sides list the hybrid first, but TLS 1.2's ECDHE takes a curve.
    let p = pki(&LeafSpec::default())?;
    let (mut c, mut sv) = pair(&p, "localhost", |cc, sc| {
        cc.versions = vec![TLS12];
        cc.groups = vec![HYBRID, NamedGroup::X25519];
        sc.groups = vec![HYBRID, NamedGroup::X25519];
    })?;
    let run = run_pair(&mut c, &mut sv, |_, _| {});
    run.completed("the TLS 1.2 handshake")?;
    check::equal(
        "TLS 1.2 group",
        c.negotiated_tls12().and_then(|n| n.group),
        Some(NamedGroup::X25519),
    )
}
