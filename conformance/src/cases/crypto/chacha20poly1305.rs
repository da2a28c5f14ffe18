//! `crypto.chacha20poly1305.*`: The ChaCha20-Poly1305 AEAD (RFC 8439 §2.8): the RFC's example, tag checks and differential properties.

use super::support::*;
use crate::check::unhex;
use crate::{check, Case, Outcome};
use handshake_crypto::{Aead, Backend, ChaCha20Poly1305};

fn chacha(b: Backend, key: &[u8]) -> ChaCha20Poly1305 {
    ChaCha20Poly1305::new_with_backend(b, key).expect("valid key")
}

const CHACHA: Subject<ChaCha20Poly1305> = Subject {
    ring: &ring::aead::CHACHA20_POLY1305,
    klen: 32,
    make: chacha,
};

/// The `crypto.chacha20poly1305.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::must("crypto.chacha20poly1305.rfc8439-2.8.2", "RFC 8439 §2.8.2 (AEAD construction)").vector(|_| {
                let key = unhex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
                let nonce: [u8; 12] = unhex("070000004041424344454647")
                    .try_into()
                    .expect("12 bytes");
                let aad = unhex("50515253c0c1c2c3c4c5c6c7");
                Outcome::from(BACKENDS.iter().try_for_each(|&b| {
                let a = chacha(b, &key);
                let sealed = a.seal(&nonce, &aad, SUNSCREEN).map_err(|e| format!("seal {b:?}: {e}"))?;
                check::hex(&format!("{b:?}"), &sealed, "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b61161ae10b594f09e26a7e902ecbd0600691")?;
                match a.open(&nonce, &aad, &sealed) {
                    Ok(pt) if pt == SUNSCREEN => Ok(()),
                    other => Err(format!("open {b:?}: {other:?}")),
                }
            }))
            }),
        Case::must("crypto.chacha20poly1305.differential-ring", "RFC 8439 §2.8 (fast, portable and ring agree)").property(|ctx| differential(ctx, CHACHA)),
        Case::must("crypto.chacha20poly1305.tamper-rejected", "RFC 8439 §2.8 (decryption: tag mismatch is an error); RFC 5116 §2.2").property(|ctx| tamper(ctx, CHACHA)),
        Case::must("crypto.chacha20poly1305.every-length-0-4096", "RFC 8439 §2.8 (padding of AAD and ciphertext), every length 0..=4096").property(|ctx| every_length(ctx, CHACHA)),
    ]
}
