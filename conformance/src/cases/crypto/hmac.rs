//! `crypto.hmac.*`: HMAC (RFC 2104) with SHA-256/384/512: the RFC 4231 test cases, truncation included.

use super::support::*;
use crate::{check, check_property, Case, Outcome};
use handshake_crypto::{
    Backend, HashFunction, Hmac, HmacSha256, HmacSha384, HmacSha512, Sha256, Sha384, Sha512,
};
use proptest::prelude::*;

// ---------------------------------------------------------------- HMAC

/// RFC 4231 test case `n`: key, data, then HMAC-SHA-256/384/512 (case 5: 128-bit truncation).
fn rfc4231(n: usize) -> (Vec<u8>, Vec<u8>, [&'static str; 3]) {
    match n {
        1 => (vec![0x0b; 20], b"Hi There".to_vec(), [
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6",
            "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
        ]),
        2 => (b"Jefe".to_vec(), b"what do ya want for nothing?".to_vec(), [
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
        ]),
        3 => (vec![0xaa; 20], vec![0xdd; 50], [
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
            "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27",
            "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb",
        ]),
        4 => ((1..=25).collect(), vec![0xcd; 50], [
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
            "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674cffb",
            "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd",
        ]),
        5 => (vec![0x0c; 20], b"Test With Truncation".to_vec(), [
            "a3b6167473100ee06e0c796c2955552b",
            "3abf34c3503b2a23a46efc619baef897",
            "415fad6271580a531d4179bc891d87a6",
        ]),
        6 => (vec![0xaa; 131], b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(), [
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952",
            "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598",
        ]),
        _ => (vec![0xaa; 131], b"This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".to_vec(), [
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
            "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c46523e",
            "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58",
        ]),
    }
}

fn hmac_kat(n: usize) -> Outcome {
    let (key, data, want) = rfc4231(n);
    fn one<H: HashFunction>(b: Backend, key: &[u8], data: &[u8], want: &str) -> Result<(), String> {
        let mut m = Hmac::<H>::new_with_backend(b, key);
        m.update(data);
        let tag = m.finalize();
        let tag = &tag.as_ref()[..want.len() / 2];
        check::hex(&format!("HMAC ({} bytes, {b:?})", H::OUTPUT_LEN), tag, want)
    }
    Outcome::from(BACKENDS.iter().try_for_each(|&b| {
        one::<Sha256>(b, &key, &data, want[0])?;
        one::<Sha384>(b, &key, &data, want[1])?;
        one::<Sha512>(b, &key, &data, want[2])
    }))
}

/// RFC 4231 case 2's HMAC-SHA-256 (RFC 4231 §4.3): `verify` takes only all 32 bytes;
/// a prefix is checked only through `verify_truncated`, which refuses lengths below
/// max(80 bits, half the output).
fn short_tags() -> Result<(), String> {
    let want = check::unhex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    let keyed = || {
        let mut m = HmacSha256::new(b"Jefe");
        m.update(b"what do ya want for nothing?");
        m
    };
    check::ensure(keyed().verify(&want), || {
        "the full tag does not verify".into()
    })?;
    for len in 1..32 {
        check::ensure(!keyed().verify(&want[..len]), || {
            format!("verify accepted a {len}-byte prefix")
        })?;
    }
    for len in [1usize, 9, 10, 15] {
        check::equal(
            &format!("verify_truncated at {len} bytes"),
            keyed().verify_truncated(&want[..len], len),
            Err(handshake_crypto::Error::InvalidLength),
        )?;
    }
    check::equal(
        "verify_truncated at 16 bytes",
        keyed().verify_truncated(&want[..16], 16),
        Ok(()),
    )?;
    let mut bad = want[..16].to_vec();
    bad[15] ^= 1;
    check::equal(
        "a wrong 16-byte tag",
        keyed().verify_truncated(&bad, 16),
        Err(handshake_crypto::Error::AuthenticationFailed),
    )
}

/// RFC 4231's test cases: (id, requirement, case number).
const RFC4231_CASES: &[(&str, &str, usize)] = &[
    ("crypto.hmac.rfc4231-case1", "RFC 4231 §4.2; RFC 2104 §2", 1),
    (
        "crypto.hmac.rfc4231-case2",
        "RFC 4231 §4.3 (key shorter than HashLen)",
        2,
    ),
    ("crypto.hmac.rfc4231-case3", "RFC 4231 §4.4", 3),
    ("crypto.hmac.rfc4231-case4", "RFC 4231 §4.5", 4),
    (
        "crypto.hmac.rfc4231-case5-truncated",
        "RFC 4231 §4.6; RFC 2104 §5 (truncated output)",
        5,
    ),
    (
        "crypto.hmac.rfc4231-case6-long-key",
        "RFC 4231 §4.7; RFC 2104 §2 (keys longer than B are hashed)",
        6,
    ),
    (
        "crypto.hmac.rfc4231-case7-long-key-data",
        "RFC 4231 §4.8",
        7,
    ),
];

/// The `crypto.hmac.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    let mut all: Vec<Case> = RFC4231_CASES
        .iter()
        .map(|&(id, spec, n)| Case::must(id, spec).vector(move |_| hmac_kat(n)))
        .collect();
    all.push(
        Case::must(
            "crypto.hmac.short-tag-refused",
            "RFC 2104 §5 (a truncated output not less than half the hash output and not less than 80 bits)",
        )
        .vector(|_| short_tags()),
    );
    all.extend([Case::must(
        "crypto.hmac.differential-ring",
        "RFC 2104 §2 (ours and ring agree for any key and message)",
    )
    .property(|ctx| {
        check_property(
            ctx,
            (
                proptest::collection::vec(any::<u8>(), 0..300),
                proptest::collection::vec(any::<u8>(), 0..2048),
            ),
            |(key, msg)| {
                for b in BACKENDS {
                    let mut m = HmacSha256::new_with_backend(b, &key);
                    m.update(&msg);
                    let r = ring::hmac::sign(
                        &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key),
                        &msg,
                    );
                    prop_assert_eq!(&m.finalize()[..], r.as_ref());
                }
                let r =
                    ring::hmac::sign(&ring::hmac::Key::new(ring::hmac::HMAC_SHA384, &key), &msg);
                prop_assert_eq!(&HmacSha384::mac(&key, &msg)[..], r.as_ref());
                let r =
                    ring::hmac::sign(&ring::hmac::Key::new(ring::hmac::HMAC_SHA512, &key), &msg);
                prop_assert_eq!(&HmacSha512::mac(&key, &msg)[..], r.as_ref());
                Ok(())
            },
        )
    })]);
    all
}
