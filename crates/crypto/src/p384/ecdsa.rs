//! ECDSA over P-384 (FIPS 186-5 §6.4, SEC 1 §4.1) with deterministic nonces
//! (RFC 6979 §3.2), for SHA-384 and SHA-512 (or any [`HashFunction`]), and P-384
//! ECDH (SEC 1 §3.3.1).
//!
//! Secret data (the key, the nonce k, k^-1, r d) only meets the constant-time
//! code: [`mul_base`] and [`Point::mul`] (masked table scans, complete formulas)
//! and the Montgomery field arithmetic. Verification works on public data only
//! and uses the variable-time [`vartime::double_mul`].

use alloc::vec::Vec;
use rand_core::{CryptoRng, RngCore};
use zeroize::{Zeroize, Zeroizing};

use super::field::{Limbs, FN};
use super::point::{mul_base, vartime, Point, LEN};
use crate::ec::ecdsa::{sign_rfc6979, verify_digest, SignTemps};
use crate::ec::mont::MontField;
use crate::ec::{self, Sec1Y};
use crate::{Error, HashFunction};

/// Length of a fixed-width P-384 signature `r || s` (IEEE P1363).
pub const P384_SIGNATURE_LEN: usize = 2 * LEN;

/// A P-384 private key (a scalar in [1, n-1]), for ECDSA signing and ECDH;
/// zeroized on drop.
///
/// ```
/// use handshake_crypto::{P384SecretKey, Sha384};
/// let key = P384SecretKey::from_bytes(&[7u8; 48]).unwrap();
/// let sig = key.sign::<Sha384>(b"hello");
/// key.public_key().verify::<Sha384>(b"hello", &sig).unwrap();
/// assert!(key.public_key().verify::<Sha384>(b"hellO", &sig).is_err());
/// ```
pub struct P384SecretKey {
    d: Limbs,
    public: P384PublicKey,
}

impl Drop for P384SecretKey {
    fn drop(&mut self) {
        self.d.zeroize();
    }
}

impl Clone for P384SecretKey {
    fn clone(&self) -> Self {
        P384SecretKey {
            d: self.d,
            public: self.public.clone(),
        }
    }
}

impl core::fmt::Debug for P384SecretKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("P384SecretKey")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

/// A P-384 public key: an affine point on the curve, not the identity.
///
/// ```
/// use handshake_crypto::{ecdsa_p384_signature_to_der, P384PublicKey, P384SecretKey, Sha512};
/// let key = P384SecretKey::from_bytes(&[3u8; 48]).unwrap();
/// let public = P384PublicKey::from_sec1_bytes(&key.public_key().to_uncompressed()).unwrap();
/// let der = ecdsa_p384_signature_to_der(&key.sign::<Sha512>(b"tbs"));
/// public.verify_der::<Sha512>(b"tbs", &der).unwrap();
/// // ECDH: both sides reach the same x-coordinate.
/// let other = P384SecretKey::from_bytes(&[4u8; 48]).unwrap();
/// assert_eq!(key.diffie_hellman(&other.public_key()), other.diffie_hellman(&public));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct P384PublicKey {
    x: [u8; LEN],
    y: [u8; LEN],
}

impl P384SecretKey {
    /// A key from its 48-byte big-endian scalar; it must lie in [1, n-1]
    /// (SEC 1 §2.3.6 / §3.2.1), else [`Error::InvalidPrivateKey`].
    pub fn from_bytes(bytes: &[u8; LEN]) -> Result<Self, Error> {
        let d = FN.parse_be(bytes).ok_or(Error::InvalidPrivateKey)?;
        if FN.is_zero(&d) == u64::MAX {
            return Err(Error::InvalidPrivateKey);
        }
        let (x, y) = mul_base(&d).to_affine_bytes()?;
        Ok(P384SecretKey {
            d,
            public: P384PublicKey { x, y },
        })
    }

    /// Draws a key by rejection sampling (FIPS 186-5 §A.2.2): 48 random bytes,
    /// retried while the value is zero or at least n.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        loop {
            let mut b = Zeroizing::new([0u8; LEN]);
            rng.fill_bytes(&mut b[..]);
            if let Ok(k) = P384SecretKey::from_bytes(&b) {
                return k;
            }
        }
    }

    /// The 48-byte big-endian scalar.
    pub fn to_bytes(&self) -> [u8; LEN] {
        let mut out = [0u8; LEN];
        MontField::write_be(&self.d, &mut out);
        out
    }

    /// The matching public key.
    pub fn public_key(&self) -> P384PublicKey {
        self.public.clone()
    }

    /// Signs `msg` hashed with `H` (SHA-384 for TLS's ecdsa_secp384r1_sha384;
    /// SHA-512 works too), the nonce derived by RFC 6979 §3.2 from the key and
    /// the hash. Returns `r || s`, 48 bytes each (IEEE P1363);
    /// [`ecdsa_p384_signature_to_der`] gives the DER form.
    pub fn sign<H: HashFunction>(&self, msg: &[u8]) -> [u8; P384_SIGNATURE_LEN] {
        self.sign_prehashed::<H>(H::digest(msg).as_ref())
    }

    /// Signs a message digest computed with `H` (RFC 6979 runs its HMAC with `H`
    /// too).
    pub fn sign_prehashed<H: HashFunction>(&self, digest: &[u8]) -> [u8; P384_SIGNATURE_LEN] {
        self.sign_prehashed_with::<H>(digest, &mut SignTemps::new())
    }

    /// [`P384SecretKey::sign_prehashed`] with its secret temporaries in `t`, which
    /// holds zeros again when this returns.
    fn sign_prehashed_with<H: HashFunction>(
        &self,
        digest: &[u8],
        t: &mut SignTemps<6>,
    ) -> [u8; P384_SIGNATURE_LEN] {
        let (r, s) = sign_rfc6979::<H, 6>(&FN, &self.d, digest, t, |k| mul_base(k).affine_x().0);
        let mut out = [0u8; P384_SIGNATURE_LEN];
        MontField::write_be(&r, &mut out[..LEN]);
        MontField::write_be(&s, &mut out[LEN..]);
        out
    }

    /// P-384 ECDH (SEC 1 §3.3.1; RFC 8446 §7.4.2): the x-coordinate of `d * Q`,
    /// 48 bytes. `peer` was validated when it was parsed (on the curve, not the
    /// identity); with cofactor 1 the product is then never the identity.
    pub fn diffie_hellman(&self, peer: &P384PublicKey) -> Result<[u8; LEN], Error> {
        let q = Point::from_affine_bytes(&peer.x, &peer.y)?;
        // SEC 1 §3.3.1 step 2: output "invalid" if P is the point at infinity.
        Ok(q.mul(&self.d).to_affine_bytes()?.0)
    }
}

impl P384PublicKey {
    /// Parses a SEC 1 §2.3.4 point: uncompressed (`04 || x || y`, 97 bytes) or
    /// compressed (`02/03 || x`, 49 bytes). Rejects the identity (`00`), the
    /// hybrid forms, coordinates not below p, and points off the curve, with
    /// [`Error::InvalidPublicKey`].
    pub fn from_sec1_bytes(b: &[u8]) -> Result<Self, Error> {
        let (x, y) = ec::sec1_split(b, LEN)?;
        let x: [u8; LEN] = x.try_into().map_err(|_| Error::InvalidPublicKey)?;
        let y: [u8; LEN] = match y {
            Sec1Y::Bytes(y) => y.try_into().map_err(|_| Error::InvalidPublicKey)?,
            Sec1Y::Odd(odd) => Point::decompress_y(&x, odd)?,
        };
        Point::from_affine_bytes(&x, &y)?;
        Ok(P384PublicKey { x, y })
    }

    /// The uncompressed SEC 1 encoding, `04 || x || y` (97 bytes).
    pub fn to_uncompressed(&self) -> [u8; 1 + 2 * LEN] {
        let mut out = [4u8; 1 + 2 * LEN];
        out[1..1 + LEN].copy_from_slice(&self.x);
        out[1 + LEN..].copy_from_slice(&self.y);
        out
    }

    /// The compressed SEC 1 encoding, `02/03 || x` (49 bytes).
    pub fn to_compressed(&self) -> [u8; 1 + LEN] {
        let mut out = [2 | (self.y[LEN - 1] & 1); 1 + LEN];
        out[1..].copy_from_slice(&self.x);
        out
    }

    /// Verifies an `r || s` signature (96 bytes) over `msg` hashed with `H`
    /// (FIPS 186-5 §6.4.2). Public data only: variable time is fine here.
    pub fn verify<H: HashFunction>(&self, msg: &[u8], sig: &[u8]) -> Result<(), Error> {
        self.verify_prehashed(H::digest(msg).as_ref(), sig)
    }

    /// Verifies a DER `ECDSA-Sig-Value` (RFC 5480 §2.2 / RFC 3279 §2.2.3), as TLS
    /// and X.509 carry it.
    pub fn verify_der<H: HashFunction>(&self, msg: &[u8], der: &[u8]) -> Result<(), Error> {
        self.verify::<H>(msg, &ecdsa_p384_signature_from_der(der)?)
    }

    /// Verifies `r || s` against a digest (FIPS 186-5 §6.4.2): r and s in
    /// [1, n-1], then `x(u1 G + u2 Q) mod n == r`.
    pub fn verify_prehashed(&self, digest: &[u8], sig: &[u8]) -> Result<(), Error> {
        verify_digest(&FN, digest, sig, |u1, u2, r| {
            let q = Point::from_affine_bytes(&self.x, &self.y)?;
            Ok(vartime::x_matches_mod_n(
                &vartime::double_mul(u1, u2, &q),
                r,
            ))
        })
    }
}

/// Encodes a P-384 `r || s` as a DER `ECDSA-Sig-Value` (RFC 3279 §2.2.3).
///
/// ```
/// use handshake_crypto::{ecdsa_p384_signature_from_der, ecdsa_p384_signature_to_der};
/// let mut sig = [0u8; 96];
/// sig[47] = 1;
/// sig[48] = 0x80;
/// let der = ecdsa_p384_signature_to_der(&sig);
/// assert_eq!(ecdsa_p384_signature_from_der(&der).unwrap(), sig);
/// ```
pub fn ecdsa_p384_signature_to_der(sig: &[u8; P384_SIGNATURE_LEN]) -> Vec<u8> {
    ec::signature_to_der(sig)
}

/// Parses a strict DER `ECDSA-Sig-Value` into a P-384 `r || s`: minimal lengths,
/// minimal non-negative integers of at most 48 significant bytes, nothing
/// trailing; any violation is [`Error::BadSignature`].
pub fn ecdsa_p384_signature_from_der(der: &[u8]) -> Result<[u8; P384_SIGNATURE_LEN], Error> {
    let mut sig = [0u8; P384_SIGNATURE_LEN];
    ec::signature_from_der(der, &mut sig)?;
    Ok(sig)
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
