//! `crypto.hybrid.*`: the TLS hybrids of draft-ietf-tls-ecdhe-mlkem,
//! X25519MLKEM768 (ML-KEM-768 first) and SecP256r1MLKEM768 (P-256 first):
//! the share layout, agreement with a peer built from the `ml-kem` crate and
//! ring's X25519 or P-256 ECDH in both directions, and the refusals.
//!
//! The peer: RustCrypto's `ml-kem` for ML-KEM-768 and ring for the ECDH half.
//! The ECDH keys of the layout cases are the RFCs' own: RFC 7748 §6.1's
//! (Alice) and RFC 6979 §A.2.5's P-256 key.

use super::ecdsa::{RFC6979_U, RFC6979_X};
use crate::check::unhex;
use crate::{check, check_property, Case, Ctx, Outcome};
use handshake_crypto::{secp256r1mlkem768 as p256_hybrid, x25519mlkem768, Error};
use ml_kem::kem::{Decapsulate, Encapsulate};
use ml_kem::{EncodedSizeUser, KemCore};
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use ring::agreement;

type PeerEk = <ml_kem::MlKem768 as KemCore>::EncapsulationKey;

const EK_LEN: usize = 1184;
const CT_LEN: usize = 1088;

/// RFC 7748 §6.1: Alice's private and public keys.
const ALICE: &str = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
const ALICE_PUB: &str = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";

/// A hybrid client through either module's API.
trait HybridClient {
    fn share(&self) -> Vec<u8>;
    fn finish(&self, server_share: &[u8]) -> Result<[u8; 64], Error>;
}

macro_rules! client_api {
    ($m:ident) => {
        impl HybridClient for $m::Client {
            fn share(&self) -> Vec<u8> {
                self.key_share().to_vec()
            }
            fn finish(&self, server_share: &[u8]) -> Result<[u8; 64], Error> {
                $m::Client::finish(self, server_share)
            }
        }
    };
}
client_api!(x25519mlkem768);
client_api!(p256_hybrid);

type Respond = fn(&[u8], &[u8; 32], [u8; 32]) -> Result<(Vec<u8>, [u8; 64]), Error>;
type FromSeeds = fn(&[u8; 32], &[u8; 32], [u8; 32]) -> Result<Box<dyn HybridClient>, Error>;

/// One hybrid group: its layout (draft §3.1), our API, and ring's ECDH.
struct Group {
    /// The case id's name: `x25519mlkem768`.
    id: &'static str,
    ecdh_len: usize,
    mlkem_first: bool,
    ring: &'static agreement::Algorithm,
    from_seeds: FromSeeds,
    generate: fn(&mut ChaCha20Rng) -> Box<dyn HybridClient>,
    respond: Respond,
    /// An ECDH key of the RFCs and its public share.
    known_key: (&'static str, &'static str),
    /// ECDH shares that must be refused, and with what.
    bad_ecdh: fn() -> Vec<(Vec<u8>, Error)>,
}

static GROUPS: [Group; 2] = [
    Group {
        id: "x25519mlkem768",
        ecdh_len: 32,
        mlkem_first: true,
        ring: &agreement::X25519,
        from_seeds: |d, z, e| Ok(Box::new(x25519mlkem768::Client::from_seeds(d, z, e)?)),
        generate: |rng| Box::new(x25519mlkem768::Client::generate(rng)),
        respond: |c, m, e| x25519mlkem768::server_respond(c, m, e).map(|(s, k)| (s.to_vec(), k)),
        known_key: (ALICE, ALICE_PUB),
        bad_ecdh: low_order_x25519,
    },
    Group {
        id: "secp256r1mlkem768",
        ecdh_len: 65,
        mlkem_first: false,
        ring: &agreement::ECDH_P256,
        from_seeds: |d, z, e| Ok(Box::new(p256_hybrid::Client::from_seeds(d, z, e)?)),
        generate: |rng| Box::new(p256_hybrid::Client::generate(rng)),
        respond: |c, m, e| p256_hybrid::server_respond(c, m, e).map(|(s, k)| (s.to_vec(), k)),
        known_key: (RFC6979_X, RFC6979_U),
        bad_ecdh: invalid_p256,
    },
];

impl Group {
    /// The (ML-KEM, ECDH) parts of a share whose ML-KEM part is `mlkem_len` long.
    fn split<'a>(&self, share: &'a [u8], mlkem_len: usize) -> (&'a [u8], &'a [u8]) {
        self.split_lens(share, mlkem_len, self.ecdh_len)
    }

    /// The (ML-KEM, ECDH) parts of a value whose parts are `mlkem_len` and
    /// `ecdh_len` long, in the group's order.
    fn split_lens<'a>(
        &self,
        v: &'a [u8],
        mlkem_len: usize,
        ecdh_len: usize,
    ) -> (&'a [u8], &'a [u8]) {
        if self.mlkem_first {
            v.split_at(mlkem_len)
        } else {
            let (ecdh, mlkem) = v.split_at(ecdh_len);
            (mlkem, ecdh)
        }
    }

    /// The two parts in the group's order.
    fn join(&self, mlkem: &[u8], ecdh: &[u8]) -> Vec<u8> {
        if self.mlkem_first {
            [mlkem, ecdh].concat()
        } else {
            [ecdh, mlkem].concat()
        }
    }

    /// Where the ML-KEM part of a share starts.
    fn mlkem_at(&self) -> usize {
        if self.mlkem_first {
            0
        } else {
            self.ecdh_len
        }
    }
}

/// X25519 points of small order (RFC 7748 §6.1; u = 0, u = 1 and Wycheproof's
/// order-8 point): an all-zero result, refused (RFC 8446 §7.4.2).
fn low_order_x25519() -> Vec<(Vec<u8>, Error)> {
    [
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    ]
    .into_iter()
    .map(|p| (unhex(p), Error::LowOrderPoint))
    .collect()
}

/// P-256 shares that are not a valid uncompressed point (RFC 8446 §4.2.8.2):
/// all zeros, a compressed prefix, y off the curve, x = p.
fn invalid_p256() -> Vec<(Vec<u8>, Error)> {
    let good = unhex(RFC6979_U);
    let mut compressed = good.clone();
    compressed[0] = 0x02;
    let mut off_curve = good.clone();
    off_curve[64] ^= 1;
    let mut x_is_p = good;
    x_is_p[1..33].copy_from_slice(&unhex(
        "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
    ));
    [vec![0u8; 65], compressed, off_curve, x_is_p]
        .into_iter()
        .map(|p| (p, Error::InvalidPublicKey))
        .collect()
}

/// Client share = ek (as the ml-kem crate derives it from the same d, z) and
/// the RFC key's public share, in the group's order; server share = ciphertext
/// and ECDH share; secret = the two secrets in the same order, 64 bytes.
fn layout(g: &Group) -> check::Checked {
    let (d, z) = ([0x11u8; 32], [0x22u8; 32]);
    let secret: [u8; 32] = unhex(g.known_key.0).try_into().map_err(|_| "32 bytes")?;
    let client = (g.from_seeds)(&d, &z, secret).map_err(|e| e.to_string())?;
    let share = client.share();
    check::equal("client share length", share.len(), EK_LEN + g.ecdh_len)?;
    let (_, pek) = ml_kem::MlKem768::generate_deterministic(&d.into(), &z.into());
    let (ek, ecdh) = g.split(&share, EK_LEN);
    check::equal("ek part", ek, &pek.as_bytes()[..])?;
    check::hex("ECDH part (the RFC's public key)", ecdh, g.known_key.1)?;
    let (server_share, secret) =
        (g.respond)(&share, &[0x33; 32], [0x44; 32]).map_err(|e| e.to_string())?;
    check::equal(
        "server share length",
        server_share.len(),
        CT_LEN + g.ecdh_len,
    )?;
    let (pct, pk) =
        ml_kem::EncapsulateDeterministic::encapsulate_deterministic(&pek, &[0x33; 32].into())
            .map_err(|e| format!("{e:?}"))?;
    check::equal(
        "ciphertext part",
        g.split(&server_share, CT_LEN).0,
        &pct[..],
    )?;
    check::equal(
        "ML-KEM secret part",
        g.split_lens(&secret, 32, 32).0,
        &pk[..],
    )?;
    // The ECDH half: the client's view must agree (the peer cases check it
    // against ring).
    check::equal(
        "client and server secrets",
        client.finish(&server_share).map_err(|e| e.to_string())?,
        secret,
    )
}

/// Our client against a peer server: the peer encapsulates to our ek (ml-kem
/// crate) and answers with a ring ECDH key; both get the same 64 bytes.
fn our_client(ctx: &mut Ctx, g: &Group) -> Outcome {
    let sys = ring::rand::SystemRandom::new();
    check_property(ctx, any::<u64>(), |seed| {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let client = (g.generate)(&mut rng);
        let share = client.share();
        let (ek, ecdh) = g.split(&share, EK_LEN);
        let ek = PeerEk::from_bytes(&ml_kem::array::Array::try_from(ek).expect("1184"));
        let (ct, kem) = ek.encapsulate(&mut rng).expect("encapsulates");
        let eph = agreement::EphemeralPrivateKey::generate(g.ring, &sys).expect("rng");
        let eph_pub = eph.compute_public_key().expect("public key");
        let peer = agreement::UnparsedPublicKey::new(g.ring, ecdh);
        let dh = agreement::agree_ephemeral(eph, &peer, |k| k.to_vec()).expect("agrees");
        let got = client.finish(&g.join(&ct, eph_pub.as_ref()));
        prop_assert_eq!(got.map(|s| s.to_vec()), Ok(g.join(&kem, &dh)));
        Ok(())
    })
}

/// A peer client (ml-kem crate ek and a ring ECDH share) against our server.
fn our_server(ctx: &mut Ctx, g: &Group) -> Outcome {
    let sys = ring::rand::SystemRandom::new();
    check_property(
        ctx,
        (any::<u64>(), any::<[u8; 32]>(), 1u8..0xff),
        |(seed, m, x)| {
            let mut rng = ChaCha20Rng::seed_from_u64(seed);
            let (dk, ek) = ml_kem::MlKem768::generate(&mut rng);
            let eph = agreement::EphemeralPrivateKey::generate(g.ring, &sys).expect("rng");
            let share = g.join(
                &ek.as_bytes(),
                eph.compute_public_key().expect("public key").as_ref(),
            );
            // A scalar below the P-256 order, valid for X25519 too.
            let (server_share, secret) = match (g.respond)(&share, &m, [x; 32]) {
                Ok(r) => r,
                Err(e) => return Err(TestCaseError::fail(format!("our server refused: {e}"))),
            };
            let (ct, ecdh) = g.split(&server_share, CT_LEN);
            let kem = dk
                .decapsulate(&ml_kem::array::Array::try_from(ct).expect("1088"))
                .expect("decapsulates");
            let peer = agreement::UnparsedPublicKey::new(g.ring, ecdh);
            let dh = agreement::agree_ephemeral(eph, &peer, |k| k.to_vec()).expect("agrees");
            prop_assert_eq!(secret.to_vec(), g.join(&kem, &dh));
            Ok(())
        },
    )
}

/// Shares of any other length, refused on both sides.
fn refusals(g: &Group) -> check::Checked {
    let client = (g.from_seeds)(&[1; 32], &[2; 32], [3; 32]).map_err(|e| e.to_string())?;
    let share = client.share();
    let full = share.len();
    for len in [0, g.ecdh_len, EK_LEN, full - 1, full + 1] {
        let short: Vec<u8> = share.iter().copied().cycle().take(len).collect();
        check::refused((g.respond)(&short, &[0; 32], [5; 32]), Error::InvalidLength)
            .map_err(|e| format!("client share of {len} bytes: {e}"))?;
    }
    let (server_share, _) = (g.respond)(&share, &[4; 32], [5; 32]).map_err(|e| e.to_string())?;
    let full = server_share.len();
    for len in [0, CT_LEN, full - 1, full + 1] {
        let s: Vec<u8> = server_share.iter().copied().cycle().take(len).collect();
        check::refused(client.finish(&s), Error::InvalidLength)
            .map_err(|e| format!("server share of {len} bytes: {e}"))?;
    }
    Ok(())
}

/// The last coefficient of t̂ set to 4095: the server refuses the ek.
fn invalid_ek(g: &Group) -> check::Checked {
    let client = (g.from_seeds)(&[1; 32], &[2; 32], [3; 32]).map_err(|e| e.to_string())?;
    let mut share = client.share();
    let at = g.mlkem_at();
    share[at + 1151] = 0xff;
    share[at + 1150] |= 0xf0;
    check::refused(
        (g.respond)(&share, &[0; 32], [5; 32]),
        Error::EncapsulationKeyNotReduced,
    )
}

/// Invalid ECDH shares, refused by the server in the client's share and by
/// the client in the server's.
fn bad_ecdh(g: &Group) -> check::Checked {
    let client = (g.from_seeds)(&[1; 32], &[2; 32], [3; 32]).map_err(|e| e.to_string())?;
    let share = client.share();
    let (server_share, _) = (g.respond)(&share, &[4; 32], [5; 32]).map_err(|e| e.to_string())?;
    for (p, want) in (g.bad_ecdh)() {
        let bad = g.join(g.split(&share, EK_LEN).0, &p);
        check::refused((g.respond)(&bad, &[0; 32], [5; 32]), want)
            .map_err(|e| format!("client ECDH share {}: {e}", hex::encode(&p)))?;
        let bad = g.join(g.split(&server_share, CT_LEN).0, &p);
        check::refused(client.finish(&bad), want)
            .map_err(|e| format!("server ECDH share {}: {e}", hex::encode(&p)))?;
    }
    Ok(())
}

/// The `crypto.hybrid.*` cases, for each group.
pub(crate) fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for g in GROUPS.iter() {
        let (id, x25519) = (g.id, g.mlkem_first);
        let (ecdh, spec_ecdh, order) = if x25519 {
            ("X25519", "RFC 7748", "ML-KEM || X25519")
        } else {
            ("P-256", "SEC 1, RFC 8446 §4.2.8.2", "ECDH || ML-KEM")
        };
        let draft = "draft-ietf-tls-ecdhe-mlkem";
        cases.push(Case::must(format!("crypto.hybrid.{id}-share-layout"),
            format!("{draft} §3.1.1-3.1.3 (FIPS 203, {spec_ecdh}): client share {} B, server share {} B, secret {order} (64 B)", EK_LEN + g.ecdh_len, CT_LEN + g.ecdh_len))
            .vector(move |_| layout(g)));
        cases.push(Case::must(format!("crypto.hybrid.{id}-our-client-peer-server"),
            format!("{draft} §3.1 (FIPS 203, {spec_ecdh}): our client agrees with a peer server (ml-kem crate, ring {ecdh})"))
            .property(move |ctx| our_client(ctx, g)));
        cases.push(Case::must(format!("crypto.hybrid.{id}-peer-client-our-server"),
            format!("{draft} §3.1 (FIPS 203, {spec_ecdh}): a peer client (ml-kem crate, ring {ecdh}) agrees with our server"))
            .property(move |ctx| our_server(ctx, g)));
        cases.push(
            Case::must(
                format!("crypto.hybrid.{id}-wrong-lengths"),
                format!("{draft} §3.1.2: a share of any other length is refused"),
            )
            .vector(move |_| refusals(g)),
        );
        cases.push(Case::must(format!("crypto.hybrid.{id}-invalid-ek"),
            format!("{draft} §3.1.2, FIPS 203 §7.2: the server refuses an ek failing the modulus check"))
            .vector(move |_| invalid_ek(g)));
        let (name, what) = if x25519 {
            (
                "low-order-x25519",
                "RFC 8446 §7.4.2: an all-zero X25519 result is refused on both sides",
            )
        } else {
            ("invalid-p256-point", "RFC 8446 §4.2.8.2, SEC 1 §2.3.4: a P-256 share that is not a valid uncompressed point is refused on both sides")
        };
        cases.push(
            Case::must(
                format!("crypto.hybrid.{id}-{name}"),
                format!("{draft} §3.1.2, {what}"),
            )
            .vector(move |_| bad_ecdh(g)),
        );
    }
    cases
}
