//! `crypto.sha3.*`: SHA-3 and SHAKE (FIPS 202): NIST's example values, the
//! rate boundaries, the XOF read in pieces, and a property against the
//! RustCrypto `sha3` crate.
//!
//! Expected digests: the SHA3-256/384/512 values of "", "abc" and the 448- and
//! 896-bit messages are NIST's published examples for FIPS 202; every value
//! here (those included) was computed with Python's `hashlib` (OpenSSL's
//! Keccak), an implementation independent of ours. None comes from our code.

use super::support::*;
use crate::{check, check_property, Case, Ctx, Outcome};
use handshake_crypto::{Sha3_256, Sha3_384, Sha3_512, Shake128, Shake256};
use proptest::prelude::*;
use sha3::digest::{ExtendableOutput, Update, XofReader};
use sha3::Digest;

/// The 448-bit message of NIST's examples (and FIPS 180-4's).
const ABC448: &[u8] = b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

/// NIST's FIPS 202 examples: (id, requirement, message, digest in hex).
const SHA3_256: &[DigestExample] = &[
    (
        "crypto.sha3.sha3-256-empty",
        "FIPS 202 §6.1; NIST example, empty message",
        b"",
        "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a",
    ),
    (
        "crypto.sha3.sha3-256-abc",
        "FIPS 202 §6.1; NIST example \"abc\"",
        b"abc",
        "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532",
    ),
    (
        "crypto.sha3.sha3-256-448-bit",
        "FIPS 202 §6.1; NIST 448-bit example",
        ABC448,
        "41c0dba2a9d6240849100376a8235e2c82e1b9998a999e21db32dd97496d3376",
    ),
    (
        "crypto.sha3.sha3-256-896-bit",
        "FIPS 202 §6.1; NIST 896-bit example",
        ABC896,
        "916f6061fe879741ca6469b43971dfdb28b1a32dc36cb3254e812be27aad1d18",
    ),
];

const SHA3_384: &[DigestExample] = &[
    ("crypto.sha3.sha3-384-empty", "FIPS 202 §6.1; NIST example, empty message", b"", "0c63a75b845e4f7d01107d852e4c2485c51a50aaaa94fc61995e71bbee983a2ac3713831264adb47fb6bd1e058d5f004"),
    ("crypto.sha3.sha3-384-abc", "FIPS 202 §6.1; NIST example \"abc\"", b"abc", "ec01498288516fc926459f58e2c6ad8df9b473cb0fc08c2596da7cf0e49be4b298d88cea927ac7f539f1edf228376d25"),
    ("crypto.sha3.sha3-384-448-bit", "FIPS 202 §6.1; NIST 448-bit example", ABC448, "991c665755eb3a4b6bbdfb75c78a492e8c56a22c5c4d7e429bfdbc32b9d4ad5aa04a1f076e62fea19eef51acd0657c22"),
    ("crypto.sha3.sha3-384-896-bit", "FIPS 202 §6.1; NIST 896-bit example", ABC896, "79407d3b5916b59c3e30b09822974791c313fb9ecc849e406f23592d04f625dc8c709b98b43b3852b337216179aa7fc7"),
];

const SHA3_512: &[DigestExample] = &[
    ("crypto.sha3.sha3-512-empty", "FIPS 202 §6.1; NIST example, empty message", b"", "a69f73cca23a9ac5c8b567dc185a756e97c982164fe25859e0d1dcc1475c80a615b2123af1f5f94c11e3e9402c3ac558f500199d95b6d3e301758586281dcd26"),
    ("crypto.sha3.sha3-512-abc", "FIPS 202 §6.1; NIST example \"abc\"", b"abc", "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0"),
    ("crypto.sha3.sha3-512-448-bit", "FIPS 202 §6.1; NIST 448-bit example", ABC448, "04a371e84ecfb5b8b77cb48610fca8182dd457ce6f326a0fd3d7ec2f1e91636dee691fbe0c985302ba1b0d8dc78c086346b533b49c030d99a27daf1139d6e75e"),
    ("crypto.sha3.sha3-512-896-bit", "FIPS 202 §6.1; NIST 896-bit example", ABC896, "afebb2ef542e6579c50cad06d2e578f9f8dd6881d7dc824d26360feebf18a4fa73e3261122948efcfd492e74e82e2189ed0fb440d187f382270cb455f21dd185"),
];

/// One million 'a' (NIST's long example), fed in uneven chunks so the
/// streaming path crosses the rate at every offset.
fn million_a(name: &str, want: &str, digest: impl Fn(&[&[u8]]) -> Vec<u8>) -> check::Checked {
    let block = [b'a'; 1000];
    let mut pieces: Vec<&[u8]> = Vec::new();
    let mut left = 1_000_000usize;
    let mut n = 1usize;
    while left > 0 {
        let take = n.min(left).min(block.len());
        pieces.push(&block[..take]);
        left -= take;
        n = n % 997 + 13;
    }
    check::hex(name, &digest(&pieces), want)
}

/// `len` bytes 0, 1, 2, ... (mod 256): the rate-boundary messages.
fn counting(len: usize) -> Vec<u8> {
    (0..len).map(|i| i as u8).collect()
}

/// SHAKE output of `msg`, `out_len` bytes, ours.
fn shake128(msg: &[u8], out_len: usize) -> Vec<u8> {
    let mut out = vec![0u8; out_len];
    Shake128::digest_into(msg, &mut out);
    out
}

fn shake256(msg: &[u8], out_len: usize) -> Vec<u8> {
    let mut out = vec![0u8; out_len];
    Shake256::digest_into(msg, &mut out);
    out
}

/// The `sha3` crate's SHAKE output.
fn peer_xof<X: Default + Update + ExtendableOutput>(msg: &[u8], out_len: usize) -> Vec<u8> {
    let mut x = X::default();
    x.update(msg);
    let mut out = vec![0u8; out_len];
    x.finalize_xof().read(&mut out);
    out
}

/// Rate boundaries: SHA3-256's rate is 136 bytes, SHAKE128's 168 (FIPS 202
/// §6.1, §6.2); one byte short of a block, exactly one (padding takes a
/// whole extra block) and one over. Values from `hashlib`.
fn rate_boundaries() -> check::Checked {
    let sha = [
        (
            135,
            "fded8fd9d6551c601eeb3b7c6bc5e5cfd8aad1d015b7e9aaa9c9b9475231d5e2",
        ),
        (
            136,
            "cf3ccff92480a29160c2d38317c430e14749bfee1788106957dfe73f8c4930e5",
        ),
        (
            137,
            "ce9d7dc90913ee5d92745019479a5352c6d6279bef18ed07dc0a83ee8084daca",
        ),
    ];
    for (len, want) in sha {
        check::hex(
            &format!("SHA3-256 of {len} bytes"),
            &Sha3_256::digest(&counting(len)),
            want,
        )?;
    }
    let shake = [
        (
            167,
            "1e552791cc4e93a0d4a8dc47ae49228c2faa869e40e628f6ace477aec3f1ca7a",
        ),
        (
            168,
            "f15277eb61c4908d44a2853f3cde071ae2ed7a23461fbe162a1a98cf6875059c",
        ),
        (
            169,
            "015be3338c986d9846affa0f94b4afc2a76bc289c709e1a596ec9eccf090a773",
        ),
    ];
    for (len, want) in shake {
        check::hex(
            &format!("SHAKE128 of {len} bytes"),
            &shake128(&counting(len), 32),
            want,
        )?;
    }
    Ok(())
}

/// SHAKE known answers of several output lengths (values from `hashlib`).
fn shake_lengths() -> check::Checked {
    check::hex(
        "SHAKE128(\"\"), 32 bytes",
        &shake128(b"", 32),
        "7f9c2ba4e88f827d616045507605853ed73b8093f6efbc88eb1a6eacfa66ef26",
    )?;
    check::hex(
        "SHAKE128(\"abc\"), 16 bytes",
        &shake128(b"abc", 16),
        "5881092dd818bf5cf8a3ddb793fbcba7",
    )?;
    check::hex("SHAKE256(\"\"), 64 bytes", &shake256(b"", 64), "46b9dd2b0ba88d13233b3feb743eeb243fcd52ea62b81b82b50c27646ed5762fd75dc4ddd8c0f200cb05019d67b592f6fc821c49479ab48640292eacb3b7c4be")?;
    check::hex(
        "SHAKE256(\"abc\"), 32 bytes",
        &shake256(b"abc", 32),
        "483366601360a8771c6863080cc4114d8db44530f8f1e1ee4f94ea37e78b5739",
    )?;
    // 1000 bytes: several squeezes past SHAKE256's 136-byte rate. hashlib gave
    // the last 16 bytes and the SHA3-256 of the whole output.
    let long = shake256(ABC448, 1000);
    check::hex(
        "SHAKE256(448-bit), bytes 984..1000",
        &long[984..],
        "5ab0499ee7affc470f0ff5ede95154e4",
    )?;
    check::hex(
        "SHA3-256 of SHAKE256(448-bit, 1000 bytes)",
        &Sha3_256::digest(&long),
        "54dc3fe73dd02cbea804ec51d743481f00b3d816609845b6d044526cc3d4ecf8",
    )
}

/// The XOF read in pieces of 1, 167, 1, 168, 100 and 75 bytes gives the same
/// 512 bytes as one read (FIPS 202 §4: the output is one string, however it is
/// taken), equal to the `sha3` crate's, and its tail equal to `hashlib`'s.
fn xof_pieces() -> check::Checked {
    let mut x = Shake128::new();
    x.update(ABC896);
    let mut r = x.finalize_xof();
    let mut got = Vec::new();
    for n in [1usize, 167, 1, 168, 100, 75] {
        let mut piece = vec![0u8; n];
        r.read(&mut piece);
        got.extend(piece);
    }
    check::equal(
        "512 bytes in pieces vs one read",
        &got,
        &shake128(ABC896, 512),
    )?;
    check::equal(
        "ours vs the sha3 crate",
        &got,
        &peer_xof::<sha3::Shake128>(ABC896, 512),
    )?;
    check::hex(
        "SHAKE128(896-bit), bytes 480..512",
        &got[480..],
        "a03c63a3d8c6342504c11f8d40b7c65b8e4777850f2ce126716df79725bd1c83",
    )
}

/// Random messages split at random points, random SHAKE output lengths read in
/// two pieces: ours equals the RustCrypto `sha3` crate for all five functions.
fn against_sha3_crate(ctx: &mut Ctx) -> Outcome {
    let input = (
        proptest::collection::vec(any::<u8>(), 0..1200),
        any::<prop::sample::Index>(),
        0usize..700,
        any::<prop::sample::Index>(),
    );
    check_property(ctx, input, |(msg, cut, out_len, out_cut)| {
        let cut = cut.index(msg.len() + 1);
        let (a, b) = msg.split_at(cut);
        macro_rules! fixed {
            ($ours:ty, $peer:ty) => {{
                let mut h = <$ours>::new();
                h.update(a);
                h.update(b);
                prop_assert_eq!(h.finalize().to_vec(), <$peer>::digest(&msg).to_vec());
            }};
        }
        fixed!(Sha3_256, sha3::Sha3_256);
        fixed!(Sha3_384, sha3::Sha3_384);
        fixed!(Sha3_512, sha3::Sha3_512);
        let k = out_cut.index(out_len + 1);
        macro_rules! xof {
            ($ours:ty, $peer:ty) => {{
                let mut x = <$ours>::new();
                x.update(a);
                x.update(b);
                let mut r = x.finalize_xof();
                let mut out = vec![0u8; out_len];
                r.read(&mut out[..k]);
                r.read(&mut out[k..]);
                prop_assert_eq!(out, peer_xof::<$peer>(&msg, out_len));
            }};
        }
        xof!(Shake128, sha3::Shake128);
        xof!(Shake256, sha3::Shake256);
        Ok(())
    })
}

/// The `crypto.sha3.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    let mut cases = digest_examples("SHA3-256", |m| Sha3_256::digest(m).to_vec(), SHA3_256);
    cases.extend(digest_examples(
        "SHA3-384",
        |m| Sha3_384::digest(m).to_vec(),
        SHA3_384,
    ));
    cases.extend(digest_examples(
        "SHA3-512",
        |m| Sha3_512::digest(m).to_vec(),
        SHA3_512,
    ));
    cases.extend([
        Case::must("crypto.sha3.sha3-256-million-a", "FIPS 202 §6.1; NIST example, one million 'a'").vector(|_| {
            million_a("SHA3-256", "5c8875ae474a3634ba4fd55ec85bffd661f32aca75c6d699d0cdcb6c115891c1", |ps| {
                let mut h = Sha3_256::new();
                ps.iter().for_each(|p| h.update(p));
                h.finalize().to_vec()
            })
        }),
        Case::must("crypto.sha3.sha3-384-million-a", "FIPS 202 §6.1; NIST example, one million 'a'").vector(|_| {
            million_a("SHA3-384", "eee9e24d78c1855337983451df97c8ad9eedf256c6334f8e948d252d5e0e76847aa0774ddb90a842190d2c558b4b8340", |ps| {
                let mut h = Sha3_384::new();
                ps.iter().for_each(|p| h.update(p));
                h.finalize().to_vec()
            })
        }),
        Case::must("crypto.sha3.sha3-512-million-a", "FIPS 202 §6.1; NIST example, one million 'a'").vector(|_| {
            million_a("SHA3-512", "3c3a876da14034ab60627c077bb98f7e120a2a5370212dffb3385a18d4f38859ed311d0a9d5141ce9cc5c66ee689b266a8aa18ace8282a0e0db596c90b0a7b87", |ps| {
                let mut h = Sha3_512::new();
                ps.iter().for_each(|p| h.update(p));
                h.finalize().to_vec()
            })
        }),
        Case::must("crypto.sha3.shake256-million-a", "FIPS 202 §6.2; one million 'a', 32 bytes of output").vector(|_| {
            million_a("SHAKE256", "3578a7a4ca9137569cdf76ed617d31bb994fca9c1bbf8b184013de8234dfd13a", |ps| {
                let mut x = Shake256::new();
                ps.iter().for_each(|p| x.update(p));
                let mut out = vec![0u8; 32];
                x.finalize_xof().read(&mut out);
                out
            })
        }),
        Case::must("crypto.sha3.rate-boundaries", "FIPS 202 §5.1 (pad10*1), §6.1, §6.2: messages of rate - 1, rate and rate + 1 bytes")
            .vector(|_| rate_boundaries()),
        Case::must("crypto.sha3.shake-output-lengths", "FIPS 202 §6.2: SHAKE128/256 output of 16, 32, 64 and 1000 bytes")
            .vector(|_| shake_lengths()),
        Case::must("crypto.sha3.xof-read-in-pieces", "FIPS 202 §4, §6.2: the XOF squeezed in pieces across the rate")
            .vector(|_| xof_pieces()),
        Case::must("crypto.sha3.matches-sha3-crate", "FIPS 202 §6: SHA3-256/384/512 and SHAKE128/256 equal RustCrypto sha3 on random inputs and split points")
            .property(against_sha3_crate),
    ]);
    cases
}
