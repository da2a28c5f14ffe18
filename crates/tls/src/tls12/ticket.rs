//! Session tickets (RFC 5077): the server keeps no session state; the
//! ticket it hands the client carries the session, sealed under the server's
//! ticket key with AES-256-GCM (RFC 5077 §4 recommends an authenticated
//! encryption of the state; the format is the server's own).
//!
//! Format: nonce (12) || AES-256-GCM(key, nonce, aad = LABEL,
//! suite (2) || extended_master_secret (1) || master_secret (48)) || tag (16).

use handshake_crypto::{Aead, AesGcm};
use zeroize::Zeroizing;

use crate::keys::Secret;

use super::Tls12Suite;

const LABEL: &[u8] = b"handshake-tls 1.2 ticket v1";
const PLAIN: usize = 2 + 1 + 48;

/// Seals `plain` under `key`: nonce (12) || ciphertext || tag (16), with
/// `label` as the associated data (so a TLS 1.2 ticket never opens as a
/// TLS 1.3 one). TLS 1.3 tickets (`crate::psk`) use it too.
pub(crate) fn seal_with(
    key: &[u8; 32],
    nonce: [u8; 12],
    label: &[u8],
    plain: &[u8],
) -> Option<Vec<u8>> {
    let aead = AesGcm::new(key).ok()?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(plain);
    let tag = aead
        .seal_in_place_detached(&nonce, label, &mut out[12..])
        .ok()?;
    out.extend_from_slice(&tag);
    Some(out)
}

/// Opens what [`seal_with`] made: the plaintext, or `None` for anything that
/// does not authenticate (another key, tampering, junk, too short).
pub(crate) fn open_with(key: &[u8; 32], label: &[u8], ticket: &[u8]) -> Option<Secret> {
    let body_len = ticket.len().checked_sub(12 + 16)?;
    let aead = AesGcm::new(key).ok()?;
    let nonce: [u8; 12] = ticket[..12].try_into().ok()?;
    let mut body = Zeroizing::new(ticket[12..12 + body_len].to_vec());
    aead.open_in_place_detached(&nonce, label, &mut body, &ticket[12 + body_len..])
        .ok()?;
    Some(body)
}

/// Seals a session into a ticket.
pub(crate) fn seal(
    key: &[u8; 32],
    nonce: [u8; 12],
    suite: Tls12Suite,
    ems: bool,
    master: &[u8],
) -> Option<Vec<u8>> {
    let mut body = Zeroizing::new(Vec::with_capacity(PLAIN));
    body.extend_from_slice(&suite.to_u16().to_be_bytes());
    body.push(u8::from(ems));
    body.extend_from_slice(master.get(..48)?);
    seal_with(key, nonce, LABEL, &body)
}

/// Opens a ticket: the suite, the EMS flag and the master secret, or `None`
/// for anything that does not authenticate (another key, tampering, junk).
pub(crate) fn open(key: &[u8; 32], ticket: &[u8]) -> Option<(Tls12Suite, bool, Secret)> {
    if ticket.len() != 12 + PLAIN + 16 {
        return None;
    }
    let body = open_with(key, LABEL, ticket)?;
    let suite = Tls12Suite::from_u16(u16::from_be_bytes([body[0], body[1]]))?;
    Some((suite, body[2] == 1, Zeroizing::new(body[3..].to_vec())))
}
