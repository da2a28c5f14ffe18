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
    let mut k = clamp(scalar);
    let out = ladder(&k, &Fe::from_bytes(u)).to_bytes();
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

/// The ladder of RFC 7748 §5, line by line; `a24 = 121665`.
fn ladder(k: &[u8; 32], x1: &Fe) -> Fe {
    let mut x2 = Fe::ONE;
    let mut z2 = Fe::ZERO;
    let mut x3 = *x1;
    let mut z3 = Fe::ONE;
    let mut swap = 0u64;
    for t in (0..255).rev() {
        let k_t = u64::from((k[t / 8] >> (t % 8)) & 1);
        swap ^= k_t;
        Fe::cswap(&mut x2, &mut x3, swap);
        Fe::cswap(&mut z2, &mut z3, swap);
        swap = k_t;

        let a = x2.add(&z2);
        let aa = a.square();
        let b = x2.sub(&z2);
        let bb = b.square();
        let e = aa.sub(&bb);
        let c = x3.add(&z3);
        let d = x3.sub(&z3);
        let da = d.mul(&a);
        let cb = c.mul(&b);
        x3 = da.add(&cb).square();
        z3 = x1.mul(&da.sub(&cb).square());
        x2 = aa.mul(&bb);
        z2 = e.mul(&aa.add(&e.mul_small(121_665)));
    }
    Fe::cswap(&mut x2, &mut x3, swap);
    Fe::cswap(&mut z2, &mut z3, swap);
    x2.mul(&z2.invert())
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

    #[test]
    fn rfc7748_5_2_vectors() {
        let k = h("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
        let u = h("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c");
        assert_eq!(
            x25519(&k, &u),
            h("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552")
        );
        let k = h("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d");
        let u = h("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493");
        assert_eq!(
            x25519(&k, &u),
            h("95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957")
        );
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
        let mut k = X25519_BASEPOINT;
        let mut u = X25519_BASEPOINT;
        for i in 1..=1000 {
            let r = x25519(&k, &u);
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
