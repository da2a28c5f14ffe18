//! Differential tests: our fast path, our portable path and ring give byte-identical
//! output on random keys, nonces, AAD and messages; tampering is always rejected.

use handshake_crypto::{Aead, AesGcm, Backend, ChaCha20Poly1305, HmacSha256, Sha256};
use proptest::prelude::*;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey};

fn ring_seal(
    alg: &'static ring::aead::Algorithm,
    key: &[u8],
    nonce: [u8; 12],
    aad: &[u8],
    pt: &[u8],
) -> Vec<u8> {
    let k = LessSafeKey::new(UnboundKey::new(alg, key).unwrap());
    let mut buf = pt.to_vec();
    k.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::from(aad),
        &mut buf,
    )
    .unwrap();
    buf
}

/// A sealing function: (nonce, aad, plaintext) -> ciphertext || tag.
type SealFn = Box<dyn Fn(&[u8; 12], &[u8], &[u8]) -> Vec<u8>>;

/// Which AEAD: 0 = AES-128-GCM, 1 = AES-256-GCM, 2 = ChaCha20-Poly1305.
fn make(which: u8, backend: Backend, key: &[u8]) -> SealFn {
    match which {
        0 | 1 => {
            let a = AesGcm::new_with_backend(backend, key).unwrap();
            Box::new(move |n, aad, pt| a.seal(n, aad, pt).unwrap())
        }
        _ => {
            let a = ChaCha20Poly1305::new_with_backend(backend, key).unwrap();
            Box::new(move |n, aad, pt| a.seal(n, aad, pt).unwrap())
        }
    }
}

fn alg(which: u8) -> (&'static ring::aead::Algorithm, usize) {
    match which {
        0 => (&ring::aead::AES_128_GCM, 16),
        1 => (&ring::aead::AES_256_GCM, 32),
        _ => (&ring::aead::CHACHA20_POLY1305, 32),
    }
}

fn open_with(
    which: u8,
    backend: Backend,
    key: &[u8],
    n: &[u8; 12],
    aad: &[u8],
    sealed: &[u8],
) -> Option<Vec<u8>> {
    match which {
        0 | 1 => AesGcm::new_with_backend(backend, key)
            .unwrap()
            .open(n, aad, sealed)
            .ok(),
        _ => ChaCha20Poly1305::new_with_backend(backend, key)
            .unwrap()
            .open(n, aad, sealed)
            .ok(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn aead_fast_portable_ring_agree(
        which in 0u8..3,
        key in proptest::collection::vec(any::<u8>(), 32),
        nonce in any::<[u8; 12]>(),
        aad in proptest::collection::vec(any::<u8>(), 0..64),
        pt in proptest::collection::vec(any::<u8>(), 0..4096),
        flip in any::<(usize, u8)>(),
    ) {
        let (ring_alg, klen) = alg(which);
        let key = &key[..klen];
        let want = ring_seal(ring_alg, key, nonce, &aad, &pt);
        let fast = make(which, Backend::Native, key)(&nonce, &aad, &pt);
        let portable = make(which, Backend::Portable, key)(&nonce, &aad, &pt);
        prop_assert_eq!(&fast, &want);
        prop_assert_eq!(&portable, &want);
        for backend in [Backend::Native, Backend::Portable] {
            let opened = open_with(which, backend, key, &nonce, &aad, &want);
            prop_assert_eq!(opened.as_deref(), Some(&pt[..]));
            // Tampered ciphertext or tag.
            let mut bad = want.clone();
            let i = flip.0 % bad.len();
            bad[i] ^= flip.1 | 1;
            prop_assert!(open_with(which, backend, key, &nonce, &aad, &bad).is_none());
            // Tampered AAD.
            let mut bad_aad = aad.clone();
            if bad_aad.is_empty() { bad_aad.push(0) } else { bad_aad[flip.0 % aad.len()] ^= 0x80 }
            prop_assert!(open_with(which, backend, key, &nonce, &bad_aad, &want).is_none());
            // Truncated.
            prop_assert!(open_with(which, backend, key, &nonce, &aad, &want[..want.len() - 1]).is_none());
        }
    }

    #[test]
    fn sha256_and_hmac_agree(
        key in proptest::collection::vec(any::<u8>(), 0..200),
        msg in proptest::collection::vec(any::<u8>(), 0..4096),
    ) {
        let want = ring::digest::digest(&ring::digest::SHA256, &msg);
        prop_assert_eq!(&Sha256::digest_with_backend(Backend::Native, &msg)[..], want.as_ref());
        prop_assert_eq!(&Sha256::digest_with_backend(Backend::Portable, &msg)[..], want.as_ref());
        let want = ring::hmac::sign(&ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key), &msg);
        for backend in [Backend::Native, Backend::Portable] {
            let mut m = HmacSha256::new_with_backend(backend, &key);
            m.update(&msg);
            prop_assert_eq!(&m.finalize()[..], want.as_ref());
        }
    }
}

/// Every message length 0..=4096 for each AEAD, fast and portable against ring.
#[test]
fn every_length_to_4096() {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state as u8
    };
    for which in 0..3u8 {
        let (ring_alg, klen) = alg(which);
        let key: Vec<u8> = (0..klen).map(|_| next()).collect();
        let fast = make(which, Backend::Native, &key);
        let portable = make(which, Backend::Portable, &key);
        let data: Vec<u8> = (0..4096).map(|_| next()).collect();
        for len in 0..=4096usize {
            let nonce: [u8; 12] = std::array::from_fn(|_| next());
            let aad = &data[..len % 23];
            let want = ring_seal(ring_alg, &key, nonce, aad, &data[..len]);
            assert_eq!(
                fast(&nonce, aad, &data[..len]),
                want,
                "alg {which} len {len}"
            );
            assert_eq!(
                portable(&nonce, aad, &data[..len]),
                want,
                "alg {which} len {len}"
            );
        }
    }
}
