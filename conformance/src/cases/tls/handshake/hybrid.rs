//! `tls.handshake.x25519mlkem768-*` and `tls.handshake.secp256r1mlkem768-*`:
//! the post-quantum hybrid groups (draft-ietf-tls-ecdhe-mlkem; ML-KEM-768
//! from FIPS 203 with X25519, ML-KEM first, or with secp256r1, ECDH first)
//! in our client against our server. The hybrids' arithmetic is checked
//! against the `ml-kem` crate and ring in handshake-crypto; these cases
//! check what TLS adds: the share sizes on the wire, HelloRetryRequest to
//! the group, the checks on malformed shares, and that TLS 1.2 never picks
//! them.

use handshake_tls::extensions::Extension;
use handshake_tls::kx::KeyShare;
use handshake_tls::msgs::HandshakeMessage;
use handshake_tls::suites::TLS12;
use handshake_tls::{Error, NamedGroup};

use super::super::support::{self, pair, pki, records, run_pair, send_one_way, Dir, LeafSpec};
use super::s;
use crate::check::{self, Checked};
use crate::Case;

/// A hybrid group as TLS sees it. draft-ietf-tls-ecdhe-mlkem §3.1: the
/// client's share is the ML-KEM-768 encapsulation key (1184 bytes, FIPS 203
/// §8 table 3) and the ECDH share (X25519's 32 bytes, or secp256r1's 65-byte
/// uncompressed point); the server's is the ciphertext (1088 bytes) and its
/// ECDH share; X25519MLKEM768 puts ML-KEM first, SecP256r1MLKEM768 ECDH.
#[derive(Clone, Copy)]
pub(super) struct Hybrid {
    group: NamedGroup,
    ecdh_len: usize,
    mlkem_first: bool,
}

const X25519MLKEM768: Hybrid = Hybrid {
    group: NamedGroup::X25519MlKem768,
    ecdh_len: 32,
    mlkem_first: true,
};

const SECP256R1MLKEM768: Hybrid = Hybrid {
    group: NamedGroup::SecP256r1MlKem768,
    ecdh_len: 65,
    mlkem_first: false,
};

impl Hybrid {
    fn client_share(self) -> usize {
        1184 + self.ecdh_len
    }
    fn server_share(self) -> usize {
        1088 + self.ecdh_len
    }
    /// Where the ECDH half of a share of `len` bytes lies.
    fn ecdh_range(self, len: usize) -> std::ops::Range<usize> {
        if self.mlkem_first {
            len - self.ecdh_len..len
        } else {
            0..self.ecdh_len
        }
    }
    /// Where the ML-KEM half of a share begins.
    fn mlkem_at(self) -> usize {
        if self.mlkem_first {
            0
        } else {
            self.ecdh_len
        }
    }
}

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

fn full(h: Hybrid) -> Checked {
    let (hybrid, code) = (h.group, h.group.to_u16());
    let p = pki(&LeafSpec::default())?;
    let (mut c, mut sv) = pair(&p, "localhost", |cc, sc| {
        cc.groups = vec![hybrid];
        sc.groups = vec![hybrid];
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
        vec![(code, h.client_share())],
    )?;
    check::equal(
        "ServerHello key share",
        share_lengths(&seen[1])?,
        vec![(code, h.server_share())],
    )?;
    check::equal(
        "negotiated group (client, server)",
        (
            c.negotiated().map(|n| n.group),
            sv.negotiated().map(|n| n.group),
        ),
        (Some(hybrid), Some(hybrid)),
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

fn hello_retry(h: Hybrid) -> Checked {
    // The client's one share is X25519; the server takes only the hybrid.
    let hybrid = h.group;
    let p = pki(&LeafSpec::default())?;
    let (mut c, mut sv) = pair(&p, "localhost", |cc, sc| {
        cc.groups = vec![NamedGroup::X25519, hybrid];
        sc.groups = vec![hybrid];
    })?;
    let run = run_pair(&mut c, &mut sv, |_, _| {});
    run.completed("the retried handshake")?;
    let n = c.negotiated().cloned().ok_or("client did not finish")?;
    check::equal("group and retry", (n.group, n.hello_retry), (hybrid, true))
}

fn ciphertext_tampered(h: Hybrid) -> Checked {
    // A flipped bit in the server's ML-KEM ciphertext: decapsulation's
    // implicit rejection (FIPS 203 §6.3) yields a key the server does not
    // have, so the client cannot open the server's next record.
    let p = pki(&LeafSpec::default())?;
    let (mut c, mut sv) = pair(&p, "localhost", |cc, sc| {
        cc.groups = vec![h.group];
        sc.groups = vec![h.group];
    })?;
    let mut done = false;
    let run = run_pair(&mut c, &mut sv, |dir, b| {
        if dir == Dir::ToClient && !done {
            done = true;
            // The share ends the ServerHello record; its ciphertext part
            // ends there (ECDH first) or 32 bytes before (ML-KEM first).
            let end = 5 + usize::from(u16::from_be_bytes([b[3], b[4]]));
            let tail = if h.mlkem_first { h.ecdh_len } else { 0 };
            b[end - tail - 1 - 100] ^= 0x01;
        }
    });
    // The client's bad_record_mac alert is sealed under its (different)
    // handshake keys, so the server cannot read it either.
    check::equal("client error", run.client_err, Some(Error::BadRecordMac))?;
    check::ensure(run.server_err.is_some(), || "the server went on".into())
}

fn share_checks(h: Hybrid) -> Checked {
    let (hybrid, client_len, server_len) = (h.group, h.client_share(), h.server_share());
    let mut rng = support::rng(5);
    let bad = |r: Result<_, Error>| matches!(r, Err(Error::IllegalParameter { .. }));
    // Server side: a client share of the wrong length, and one whose
    // encapsulation key fails FIPS 203 §7.2's modulus check (a 12-bit
    // coefficient of 4095 >= q = 3329).
    let good = KeyShare::generate(hybrid, &mut *rng).public();
    check::equal("client share length", good.len(), client_len)?;
    let short = &good[..client_len - 1];
    let mut over_q = good.clone();
    over_q[h.mlkem_at()] = 0xff;
    over_q[h.mlkem_at() + 1] |= 0x0f;
    check::equal(
        "server on a short share, on a coefficient >= q",
        (
            bad(KeyShare::respond(hybrid, short, &mut *rng).map(|_| ())),
            bad(KeyShare::respond(hybrid, &over_q, &mut *rng).map(|_| ())),
        ),
        (true, true),
    )?;
    let (answer, _) = KeyShare::respond(hybrid, &good, &mut *rng).map_err(s)?;
    check::equal("server share length", answer.len(), server_len)?;
    // Client side: a server share of the wrong length, and one whose ECDH
    // half is all zeros: for X25519 the low-order point 0 (an all-zero
    // result, RFC 8446 §7.4.2), for secp256r1 not an uncompressed point
    // (§4.2.8.2).
    let client = KeyShare::generate(hybrid, &mut *rng);
    let mut zero_ecdh = answer.clone();
    zero_ecdh[h.ecdh_range(server_len)].fill(0);
    check::equal(
        "client on a short share, on an all-zero ECDH share",
        (
            bad(client.agree(&answer[..server_len - 1]).map(|_| ())),
            bad(client.agree(&zero_ecdh).map(|_| ())),
        ),
        (true, true),
    )
}

fn never_in_tls12(h: Hybrid) -> Checked {
    // Both sides list the hybrid first, but TLS 1.2's ECDHE takes a curve.
    let p = pki(&LeafSpec::default())?;
    let (mut c, mut sv) = pair(&p, "localhost", |cc, sc| {
        cc.versions = vec![TLS12];
        cc.groups = vec![h.group, NamedGroup::X25519];
        sc.groups = vec![h.group, NamedGroup::X25519];
    })?;
    let run = run_pair(&mut c, &mut sv, |_, _| {});
    run.completed("the TLS 1.2 handshake")?;
    check::equal(
        "TLS 1.2 group",
        c.negotiated_tls12().and_then(|n| n.group),
        Some(NamedGroup::X25519),
    )
}

/// The `tls.handshake.<hybrid>*` cases, for each hybrid group.
pub(super) fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for (id, h, ecdh_check) in [
        ("x25519mlkem768", X25519MLKEM768, "RFC 8446 §7.4.2"),
        ("secp256r1mlkem768", SECP256R1MLKEM768, "RFC 8446 §4.2.8.2"),
    ] {
        let draft = "draft-ietf-tls-ecdhe-mlkem §3.1";
        cases.push(
            Case::must(
                format!("tls.handshake.{id}"),
                format!("{draft}; RFC 8446 §4.2.8"),
            )
            .simulation(move |_| full(h)),
        );
        cases.push(
            Case::must(
                format!("tls.handshake.{id}-hello-retry"),
                format!("{draft}; RFC 8446 §4.1.4"),
            )
            .simulation(move |_| hello_retry(h)),
        );
        cases.push(
            Case::must(
                format!("tls.handshake.{id}-ciphertext-tampered"),
                "FIPS 203 §6.3 (implicit rejection); RFC 8446 §5.2",
            )
            .simulation(move |_| ciphertext_tampered(h)),
        );
        cases.push(
            Case::must(
                format!("tls.handshake.{id}-share-checks"),
                format!("{draft}.2; FIPS 203 §7.2; {ecdh_check}"),
            )
            .simulation(move |_| share_checks(h)),
        );
        cases.push(
            Case::must(
                format!("tls.handshake.{id}-not-in-tls12"),
                format!("{draft}; RFC 8422 §5.1"),
            )
            .simulation(move |_| never_in_tls12(h)),
        );
    }
    cases
}
