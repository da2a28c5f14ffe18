//! The TLS 1.2 key derivation: the PRF (RFC 5246 §5), the master secret
//! (§8.1) or the extended master secret (RFC 7627 §4), the key block (§6.3)
//! and Finished.verify_data (§7.4.9).

use handshake_crypto::{ct_eq, prf};
use zeroize::Zeroizing;

use crate::keys::Secret;
use crate::suites::HashAlg;
use crate::Error;

use super::suites::BulkCipher;

/// PRF(secret, label, seed) with the suite's hash, `len` bytes (RFC 5246 §5).
pub fn prf(hash: HashAlg, secret: &[u8], label: &[u8], seed: &[u8], len: usize) -> Secret {
    let mut out = Zeroizing::new(vec![0u8; len]);
    match hash {
        HashAlg::Sha256 => prf::tls12_prf_sha256(secret, label, seed, &mut out),
        HashAlg::Sha384 => prf::tls12_prf_sha384(secret, label, seed, &mut out),
    }
    out
}

/// master_secret = PRF(pre_master_secret, "master secret",
/// ClientHello.random + ServerHello.random)\[0..47\] (RFC 5246 §8.1).
pub fn master_secret(
    hash: HashAlg,
    pms: &[u8],
    client_random: &[u8; 32],
    server_random: &[u8; 32],
) -> Secret {
    let mut seed = [0u8; 64];
    seed[..32].copy_from_slice(client_random);
    seed[32..].copy_from_slice(server_random);
    prf(hash, pms, b"master secret", &seed, 48)
}

/// master_secret = PRF(pre_master_secret, "extended master secret",
/// session_hash)\[0..47\], session_hash being the hash of the handshake up to
/// and including ClientKeyExchange (RFC 7627 §4).
pub fn extended_master_secret(hash: HashAlg, pms: &[u8], session_hash: &[u8]) -> Secret {
    prf(hash, pms, b"extended master secret", session_hash, 48)
}

/// The key block cut into its six parts (RFC 5246 §6.3).
pub struct KeyBlock {
    /// client_write_MAC_key (empty for AEAD suites).
    pub client_mac: Secret,
    /// server_write_MAC_key.
    pub server_mac: Secret,
    /// client_write_key.
    pub client_key: Secret,
    /// server_write_key.
    pub server_key: Secret,
    /// client_write_IV (the implicit nonce part; empty for CBC).
    pub client_iv: Secret,
    /// server_write_IV.
    pub server_iv: Secret,
}

/// key_block = PRF(master_secret, "key expansion", server_random +
/// client_random), partitioned MAC keys, write keys, IVs (RFC 5246 §6.3).
pub fn key_block(
    hash: HashAlg,
    bulk: BulkCipher,
    master: &[u8],
    client_random: &[u8; 32],
    server_random: &[u8; 32],
) -> KeyBlock {
    let (m, k, i) = bulk.key_block_lengths();
    let mut seed = [0u8; 64];
    seed[..32].copy_from_slice(server_random);
    seed[32..].copy_from_slice(client_random);
    let block = prf(hash, master, b"key expansion", &seed, 2 * (m + k + i));
    let mut at = 0;
    let mut take = |n: usize| {
        let part = Zeroizing::new(block[at..at + n].to_vec());
        at += n;
        part
    };
    KeyBlock {
        client_mac: take(m),
        server_mac: take(m),
        client_key: take(k),
        server_key: take(k),
        client_iv: take(i),
        server_iv: take(i),
    }
}

/// The Finished label of each side (RFC 5246 §7.4.9).
pub const CLIENT_FINISHED: &[u8] = b"client finished";
/// See [`CLIENT_FINISHED`].
pub const SERVER_FINISHED: &[u8] = b"server finished";

/// verify_data = PRF(master_secret, finished_label,
/// Hash(handshake_messages))\[0..11\] (RFC 5246 §7.4.9).
pub fn verify_data(hash: HashAlg, master: &[u8], label: &[u8], handshake_hash: &[u8]) -> Vec<u8> {
    prf(hash, master, label, handshake_hash, 12).to_vec()
}

/// Checks the peer's Finished (RFC 5246 §7.4.9): it comes right after
/// ChangeCipherSpec, under the new keys (`protected`), its verify_data is 12
/// bytes, and it equals PRF(master, `label`, handshake hash), compared in
/// constant time. A wrong one is decrypt_error ([`Error::BadFinished`]),
/// also when implicit rejection replaced the pre-master secret.
pub(crate) fn check_finished(
    protected: bool,
    hash: HashAlg,
    master: &[u8],
    label: &[u8],
    handshake_hash: &[u8],
    got: &[u8],
) -> Result<(), Error> {
    if !protected {
        return Err(Error::UnexpectedMessage {
            got: "Finished before ChangeCipherSpec",
            state: "waiting for ChangeCipherSpec (RFC 5246 §7.4.9)",
        });
    }
    if got.len() != 12 {
        return Err(Error::Decode {
            what: "Finished.verify_data is 12 bytes (RFC 5246 §7.4.9)",
        });
    }
    let expected = verify_data(hash, master, label, handshake_hash);
    if !ct_eq(&expected, got) {
        return Err(Error::BadFinished);
    }
    Ok(())
}
