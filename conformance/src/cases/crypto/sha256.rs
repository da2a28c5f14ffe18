//! `crypto.sha256.*`: SHA-256 (FIPS 180-4): the standard's examples on both backends, streaming included.

use super::support::*;
use crate::{check, check_property, Case, Outcome};
use handshake_crypto::{Sha256, Sha384, Sha512};
use proptest::prelude::*;

// ---------------------------------------------------------------- SHA-2

const ABC448: &[u8] = b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

fn sha256_kat(msg: &[u8], want: &str) -> Outcome {
    Outcome::from(BACKENDS.iter().try_for_each(|&b| {
        check::hex(
            &format!("SHA-256 {b:?}"),
            &Sha256::digest_with_backend(b, msg),
            want,
        )?;
        // Streaming, one byte then the rest, must agree.
        let mut h = Sha256::new_with_backend(b);
        let cut = msg.len().min(1);
        h.update(&msg[..cut]);
        h.update(&msg[cut..]);
        check::hex(&format!("SHA-256 streaming {b:?}"), &h.finalize(), want)
    }))
}

/// The `crypto.sha256.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::must(
            "crypto.sha256.fips180-4-abc",
            "FIPS 180-4 §6.2; example \"abc\"",
        )
        .vector(|_| {
            sha256_kat(
                b"abc",
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            )
        }),
        Case::must(
            "crypto.sha256.fips180-4-two-block",
            "FIPS 180-4 §5.1.1, §6.2; 448-bit example",
        )
        .vector(|_| {
            sha256_kat(
                ABC448,
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
            )
        }),
        Case::must(
            "crypto.sha256.empty",
            "FIPS 180-4 §5.1.1 (padding of the empty message)",
        )
        .vector(|_| {
            sha256_kat(
                b"",
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            )
        }),
        Case::must(
            "crypto.sha256.fips180-4-million-a",
            "FIPS 180-4 §6.2; one million 'a'",
        )
        .vector(|_| {
            sha256_kat(
                &vec![b'a'; 1_000_000],
                "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
            )
        }),
        Case::must(
            "crypto.sha256.differential-ring",
            "FIPS 180-4 §6.2 (SHA-NI, portable and ring agree, any split)",
        )
        .property(|ctx| {
            check_property(
                ctx,
                (
                    proptest::collection::vec(any::<u8>(), 0..4096),
                    any::<usize>(),
                ),
                |(msg, cut)| {
                    let want = ring::digest::digest(&ring::digest::SHA256, &msg);
                    for b in BACKENDS {
                        let cut = cut % (msg.len() + 1);
                        let mut h = Sha256::new_with_backend(b);
                        h.update(&msg[..cut]);
                        h.update(&msg[cut..]);
                        prop_assert_eq!(&h.finalize()[..], want.as_ref());
                    }
                    let want512 = ring::digest::digest(&ring::digest::SHA512, &msg);
                    let want384 = ring::digest::digest(&ring::digest::SHA384, &msg);
                    prop_assert_eq!(&Sha512::digest(&msg)[..], want512.as_ref());
                    prop_assert_eq!(&Sha384::digest(&msg)[..], want384.as_ref());
                    Ok(())
                },
            )
        }),
    ]
}
