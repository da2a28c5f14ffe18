//! X25519 key agreement (RFC 7748 §5, §6.1): the Montgomery ladder over
//! GF(2^255 - 19), with a masked conditional swap at every step.

use rand_core::{CryptoRng, RngCore};
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::field::Fe;
use crate::Error;

/// The u-coordinate of the base point, 9 (RFC 7748 §4.1).
pub const X25519_BASEPOINT: [u8; 32] = {
    let mut b = [0u8; 32];
    b[0] = 9;
    b
};

/// The X25519 function of RFC 7748 §5: `scalar` is clamped (decodeScalar25519), `u`
/// has its top bit masked; the result is the canonical u-coordinate of
/// `scalar * u`. It performs no check on the result: see [`X25519SecretKey`] for the
/// all-zero check that TLS requires.
///
/// ```
/// use handshake_crypto::{x25519, X25519_BASEPOINT};
/// let alice = [0x77; 32];
/// let public = x25519(&alice, &X25519_BASEPOINT);
/// assert_ne!(public, [0; 32]);
/// ```
pub fn x25519(scalar: &[u8; 32], u: &[u8; 32]) -> [u8; 32] {
    x25519_with(crate::Backend::auto(), scalar, u)
}

/// [`x25519`] on a given backend: [`crate::Backend::Native`] runs the ladder on the
/// BMI2/ADX field (`x86::fe25519_mulx`) when the CPU has it, otherwise (and for
/// [`crate::Backend::Portable`]) on the portable 51-bit-limb field.
pub(crate) fn x25519_with(backend: crate::Backend, scalar: &[u8; 32], u: &[u8; 32]) -> [u8; 32] {
    let mut k = clamp(scalar);
    #[cfg(target_arch = "x86_64")]
    let out = match crate::backend::Bmi2Adx::new(crate::backend::Features::for_backend(backend)) {
        Some(cpu) => ladder(&crate::x86::fe25519_mulx::Fe64Ops(cpu), &k, u),
        None => ladder(&Portable, &k, u),
    };
    #[cfg(not(target_arch = "x86_64"))]
    let out = {
        let _ = backend;
        ladder(&Portable, &k, u)
    };
    k.zeroize();
    out
}

/// decodeScalar25519 (RFC 7748 §5).
fn clamp(scalar: &[u8; 32]) -> [u8; 32] {
    let mut k = *scalar;
    k[0] &= 248;
    k[31] &= 127;
    k[31] |= 64;
    k
}

/// The field operations the ladder needs, so that it runs on the portable field
/// ([`Portable`]) and on the x86-64 BMI2/ADX one alike.
pub(crate) trait LadderField {
    /// A field element (any representation the implementation likes).
    type E: Copy;
    /// decodeUCoordinate (RFC 7748 §5): little-endian, the top bit masked.
    fn decode(&self, u: &[u8; 32]) -> Self::E;
    /// encodeUCoordinate: the canonical 32 bytes.
    fn encode(&self, a: &Self::E) -> [u8; 32];
    fn zero(&self) -> Self::E;
    fn one(&self) -> Self::E;
    fn add(&self, a: &Self::E, b: &Self::E) -> Self::E;
    fn sub(&self, a: &Self::E, b: &Self::E) -> Self::E;
    fn mul(&self, a: &Self::E, b: &Self::E) -> Self::E;
    fn sqr(&self, a: &Self::E) -> Self::E;
    /// `a * 121665` (the ladder's a24, RFC 7748 §5).
    fn mul_a24(&self, a: &Self::E) -> Self::E;
    /// Swaps `a` and `b` when `choice` is 1, by masks (RFC 7748 §5 `cswap`).
    fn cswap(&self, a: &mut Self::E, b: &mut Self::E, choice: u64);
}

/// The portable field ([`Fe`], five 51-bit limbs).
pub(crate) struct Portable;

impl LadderField for Portable {
    type E = Fe;
    fn decode(&self, u: &[u8; 32]) -> Fe {
        Fe::from_bytes(u)
    }
    fn encode(&self, a: &Fe) -> [u8; 32] {
        a.to_bytes()
    }
    fn zero(&self) -> Fe {
        Fe::ZERO
    }
    fn one(&self) -> Fe {
        Fe::ONE
    }
    #[inline(always)]
    fn add(&self, a: &Fe, b: &Fe) -> Fe {
        a.add(b)
    }
    #[inline(always)]
    fn sub(&self, a: &Fe, b: &Fe) -> Fe {
        a.sub(b)
    }
    #[inline(always)]
    fn mul(&self, a: &Fe, b: &Fe) -> Fe {
        a.mul(b)
    }
    #[inline(always)]
    fn sqr(&self, a: &Fe) -> Fe {
        a.square()
    }
    #[inline(always)]
    fn mul_a24(&self, a: &Fe) -> Fe {
        a.mul_small(121_665)
    }
    #[inline(always)]
    fn cswap(&self, a: &mut Fe, b: &mut Fe, choice: u64) {
        Fe::cswap(a, b, choice)
    }
}

/// The ladder of RFC 7748 §5, line by line; `a24 = 121665`. Returns the encoded
/// u-coordinate of `k * u`.
fn ladder<F: LadderField>(f: &F, k: &[u8; 32], u: &[u8; 32]) -> [u8; 32] {
    let x1 = f.decode(u);
    let mut x2 = f.one();
    let mut z2 = f.zero();
    let mut x3 = x1;
    let mut z3 = f.one();
    let mut swap = 0u64;
    for t in (0..255).rev() {
        let k_t = u64::from((k[t / 8] >> (t % 8)) & 1);
        swap ^= k_t;
        f.cswap(&mut x2, &mut x3, swap);
        f.cswap(&mut z2, &mut z3, swap);
        swap = k_t;

        let a = f.add(&x2, &z2);
        let aa = f.sqr(&a);
        let b = f.sub(&x2, &z2);
        let bb = f.sqr(&b);
        let e = f.sub(&aa, &bb);
        let c = f.add(&x3, &z3);
        let d = f.sub(&x3, &z3);
        let da = f.mul(&d, &a);
        let cb = f.mul(&c, &b);
        x3 = f.sqr(&f.add(&da, &cb));
        z3 = f.mul(&x1, &f.sqr(&f.sub(&da, &cb)));
        x2 = f.mul(&aa, &bb);
        z2 = f.mul(&e, &f.add(&aa, &f.mul_a24(&e)));
    }
    f.cswap(&mut x2, &mut x3, swap);
    f.cswap(&mut z2, &mut z3, swap);
    // x2 / z2, z2 inverted by safegcd on its canonical encoding (0 maps to 0, as
    // RFC 7748 §5's z2^(p-2) does).
    let z2_inv = f.decode(&super::safegcd::invert(&f.encode(&z2)));
    f.encode(&f.mul(&x2, &z2_inv))
}

/// An X25519 private key: 32 random bytes, zeroized on drop.
///
/// ```
/// use handshake_crypto::X25519SecretKey;
/// let a = X25519SecretKey::from_bytes([1; 32]);
/// let b = X25519SecretKey::from_bytes([2; 32]);
/// let ab = a.diffie_hellman(&b.public_key()).unwrap();
/// let ba = b.diffie_hellman(&a.public_key()).unwrap();
/// assert_eq!(ab, ba);
/// ```
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct X25519SecretKey([u8; 32]);

impl X25519SecretKey {
    /// Draws a key from a cryptographic RNG.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        let mut k = [0u8; 32];
        rng.fill_bytes(&mut k);
        X25519SecretKey(k)
    }

    /// Wraps 32 bytes as a key (clamping happens inside [`x25519`]).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        X25519SecretKey(bytes)
    }

    /// The raw 32 bytes (for PKCS#8 encoding).
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0
    }

    /// The public key, `X25519(k, 9)` (RFC 7748 §6.1), computed as `k * B`
    /// on the birationally equivalent Edwards curve with Ed25519's
    /// fixed-base table (the same value, in about a third of the ladder's time).
    pub fn public_key(&self) -> [u8; 32] {
        let mut k = clamp(&self.0);
        let out = super::ed25519::montgomery_u_of_base_mul(&k);
        k.zeroize();
        out
    }

    /// The shared secret with `peer`'s public key. Fails with
    /// [`Error::LowOrderPoint`] when the result is all zeros (RFC 7748 §6.1: "check
    /// ... whether K is all zeros"; RFC 8446 §7.4.2 makes the check mandatory), the
    /// check taking the same time whatever the value.
    pub fn diffie_hellman(&self, peer: &[u8; 32]) -> Result<[u8; 32], Error> {
        let shared = x25519(&self.0, peer);
        if crate::ct_eq(&shared, &[0u8; 32]) {
            return Err(Error::LowOrderPoint);
        }
        Ok(shared)
    }
}

impl core::fmt::Debug for X25519SecretKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("X25519SecretKey(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (i, o) in out.iter_mut().enumerate() {
            *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
        }
        out
    }

    use crate::Backend;

    #[test]
    fn rfc7748_5_2_vectors() {
        // Both ladders: the portable field and (where the CPU has BMI2 and ADX)
        // the assembly one.
        for backend in [Backend::Portable, Backend::Native] {
            let k = h("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
            let u = h("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c");
            assert_eq!(
                x25519_with(backend, &k, &u),
                h("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552")
            );
            let k = h("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d");
            let u = h("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493");
            assert_eq!(
                x25519_with(backend, &k, &u),
                h("95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957")
            );
        }
    }

    /// u-coordinates that stress the encodings: 0, 1, p - 1, p, p + 1, 2^255 - 1,
    /// and the same with the masked top bit set.
    fn edge_us() -> alloc::vec::Vec<[u8; 32]> {
        let mut p = [0xffu8; 32];
        p[0] = 0xed;
        p[31] = 0x7f;
        let mut v = alloc::vec![[0u8; 32], X25519_BASEPOINT, [0xff; 32]];
        for d in [-1i16, 0, 1, 2, 18] {
            let mut u = p;
            u[0] = (0xed + d) as u8;
            v.push(u);
        }
        let mut one = [0u8; 32];
        one[0] = 1;
        v.push(one);
        let with_top: alloc::vec::Vec<_> = v
            .iter()
            .map(|u| {
                let mut t = *u;
                t[31] |= 0x80;
                t
            })
            .collect();
        v.extend(with_top);
        v
    }

    #[test]
    fn backends_agree_on_edge_coordinates() {
        for u in edge_us() {
            for k in [[0u8; 32], [0xff; 32], [0x55; 32], X25519_BASEPOINT] {
                assert_eq!(
                    x25519_with(Backend::Native, &k, &u),
                    x25519_with(Backend::Portable, &k, &u),
                    "{u:x?}"
                );
            }
        }
    }

    proptest::proptest! {
        /// The assembly ladder (where the CPU has it) is the portable one.
        #[test]
        fn backends_agree(
            k in proptest::array::uniform32(proptest::num::u8::ANY),
            u in proptest::array::uniform32(proptest::num::u8::ANY),
        ) {
            proptest::prop_assert_eq!(
                x25519_with(Backend::Native, &k, &u),
                x25519_with(Backend::Portable, &k, &u)
            );
        }
    }

    #[test]
    fn rfc7748_6_1_public_keys() {
        // Alice's and Bob's key pairs from RFC 7748 §6.1.
        for (k, public) in [
            (
                "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
                "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
            ),
            (
                "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
                "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
            ),
        ] {
            assert_eq!(X25519SecretKey::from_bytes(h(k)).public_key(), h(public));
        }
    }

    proptest::proptest! {
        /// The fixed-base path is the ladder on u = 9, for any scalar.
        #[test]
        fn public_key_is_the_ladder_on_9(k in proptest::array::uniform32(proptest::num::u8::ANY)) {
            proptest::prop_assert_eq!(
                X25519SecretKey::from_bytes(k).public_key(),
                x25519(&k, &X25519_BASEPOINT)
            );
        }
    }

    #[test]
    fn rfc7748_5_2_iterated_1000() {
        for backend in [Backend::Portable, Backend::Native] {
            iterated_1000(backend);
        }
    }

    fn iterated_1000(backend: Backend) {
        let mut k = X25519_BASEPOINT;
        let mut u = X25519_BASEPOINT;
        for i in 1..=1000 {
            let r = x25519_with(backend, &k, &u);
            u = k;
            k = r;
            if i == 1 {
                assert_eq!(
                    k,
                    h("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079")
                );
            }
        }
        assert_eq!(
            k,
            h("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51")
        );
    }
}
