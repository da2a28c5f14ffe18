//! ECDSA over P-256 (FIPS 186-4 §6.4, SEC 1 §4.1) with deterministic nonces
//! (RFC 6979 §3.2), and P-256 ECDH (SEC 1 §3.3.1).

use alloc::vec::Vec;
use rand_core::{CryptoRng, RngCore};
use zeroize::Zeroize;

use super::field::{Field, Limbs, FN, FP};
use super::point::{mul_base, Point};
use super::vartime;
use crate::ec::ecdsa::{sign_rfc6979, verify_digest, SignTemps};
use crate::ec::{self, Sec1Y};
use crate::{Error, HashFunction};

/// A P-256 private key (a scalar in [1, n-1]), for ECDSA signing and ECDH; zeroized
/// on drop.
///
/// ```
/// use handshake_crypto::{P256SecretKey, Sha256};
/// let key = P256SecretKey::from_bytes(&[7u8; 32]).unwrap();
/// let sig = key.sign::<Sha256>(b"hello");
/// key.public_key().verify::<Sha256>(b"hello", &sig).unwrap();
/// assert!(key.public_key().verify::<Sha256>(b"hellO", &sig).is_err());
/// ```
pub struct P256SecretKey {
    d: Limbs,
    public: P256PublicKey,
}

impl Drop for P256SecretKey {
    fn drop(&mut self) {
        self.d.zeroize();
    }
}

impl Clone for P256SecretKey {
    fn clone(&self) -> Self {
        P256SecretKey {
            d: self.d,
            public: self.public.clone(),
        }
    }
}

impl core::fmt::Debug for P256SecretKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("P256SecretKey")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

/// A P-256 public key: an affine point on the curve, not the identity.
///
/// ```
/// use handshake_crypto::{ecdsa_signature_to_der, P256PublicKey, P256SecretKey, Sha256};
/// let key = P256SecretKey::from_bytes(&[3u8; 32]).unwrap();
/// let public = P256PublicKey::from_sec1_bytes(&key.public_key().to_uncompressed()).unwrap();
/// let der = ecdsa_signature_to_der(&key.sign::<Sha256>(b"tbs"));
/// public.verify_der::<Sha256>(b"tbs", &der).unwrap();
/// // ECDH: both sides reach the same x-coordinate.
/// let other = P256SecretKey::from_bytes(&[4u8; 32]).unwrap();
/// assert_eq!(key.diffie_hellman(&other.public_key()), other.diffie_hellman(&public));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct P256PublicKey {
    x: [u8; 32],
    y: [u8; 32],
}

impl P256SecretKey {
    /// A key from its 32-byte big-endian scalar; it must lie in [1, n-1]
    /// (SEC 1 §2.3.6 / §3.2.1).
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, Error> {
        let d = FN.parse_be(bytes).ok_or(Error::InvalidPrivateKey)?;
        if FN.is_zero(&d) == u64::MAX {
            return Err(Error::InvalidPrivateKey);
        }
        let (x, y) = mul_base(&d).to_affine_bytes()?;
        Ok(P256SecretKey {
            d,
            public: P256PublicKey { x, y },
        })
    }

    /// Draws a key by rejection sampling (FIPS 186-4 §B.4.2): 32 random bytes, retried
    /// while the value is zero or at least n.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        loop {
            let mut b = [0u8; 32];
            rng.fill_bytes(&mut b);
            let k = P256SecretKey::from_bytes(&b);
            b.zeroize();
            if let Ok(k) = k {
                return k;
            }
        }
    }

    /// The 32-byte big-endian scalar.
    pub fn to_bytes(&self) -> [u8; 32] {
        Field::to_be_bytes(&self.d)
    }

    /// The matching public key.
    pub fn public_key(&self) -> P256PublicKey {
        self.public.clone()
    }

    /// Signs `msg` hashed with `H` (SHA-256 for TLS's ecdsa_secp256r1_sha256), the
    /// nonce derived by RFC 6979 §3.2 from the key and the hash. Returns `r || s`,
    /// 32 bytes each (IEEE P1363); [`ecdsa_signature_to_der`] gives the DER form.
    pub fn sign<H: HashFunction>(&self, msg: &[u8]) -> [u8; 64] {
        let h = H::digest(msg);
        self.sign_prehashed::<H>(h.as_ref())
    }

    /// Signs a message digest computed with `H` (RFC 6979 runs its HMAC with `H` too).
    pub fn sign_prehashed<H: HashFunction>(&self, digest: &[u8]) -> [u8; 64] {
        self.sign_prehashed_with::<H>(digest, &mut SignTemps::new())
    }

    /// [`P256SecretKey::sign_prehashed`] with its secret temporaries in `t`, which
    /// holds zeros again when this returns.
    fn sign_prehashed_with<H: HashFunction>(
        &self,
        digest: &[u8],
        t: &mut SignTemps<4>,
    ) -> [u8; 64] {
        let (r, s) = sign_rfc6979::<H, 4>(&FN, &self.d, digest, t, |k| mul_base(k).affine_x().0);
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(&Field::to_be_bytes(&r));
        out[32..].copy_from_slice(&Field::to_be_bytes(&s));
        out
    }

    /// P-256 ECDH (SEC 1 §3.3.1; RFC 8446 §7.4.2): the x-coordinate of `d * Q`.
    pub fn diffie_hellman(&self, peer: &P256PublicKey) -> Result<[u8; 32], Error> {
        let q = Point::from_affine_bytes(&peer.x, &peer.y)?;
        // With cofactor 1 and Q validated, d*Q is never the identity.
        Ok(q.mul(&self.d).to_affine_bytes()?.0)
    }
}

impl P256PublicKey {
    /// Parses a SEC 1 §2.3.4 point: uncompressed (`04 || x || y`, 65 bytes) or
    /// compressed (`02/03 || x`, 33 bytes). Rejects the identity, coordinates not
    /// below p, and points off the curve.
    pub fn from_sec1_bytes(b: &[u8]) -> Result<Self, Error> {
        let (x, y) = ec::sec1_split(b, 32)?;
        let x: [u8; 32] = x.try_into().map_err(|_| Error::InvalidPublicKey)?;
        let y = match y {
            Sec1Y::Bytes(y) => y.try_into().map_err(|_| Error::InvalidPublicKey)?,
            Sec1Y::Odd(odd) => Point::decompress_y(&x, odd)?,
        };
        Point::from_affine_bytes(&x, &y)?;
        Ok(P256PublicKey { x, y })
    }

    /// The uncompressed SEC 1 encoding, `04 || x || y`.
    pub fn to_uncompressed(&self) -> [u8; 65] {
        let mut out = [4u8; 65];
        out[1..33].copy_from_slice(&self.x);
        out[33..].copy_from_slice(&self.y);
        out
    }

    /// Verifies an `r || s` signature (64 bytes) over `msg` hashed with `H`
    /// (FIPS 186-4 §6.4.2). Public data only: variable time is fine here.
    pub fn verify<H: HashFunction>(&self, msg: &[u8], sig: &[u8]) -> Result<(), Error> {
        self.verify_prehashed(H::digest(msg).as_ref(), sig)
    }

    /// Verifies a DER `ECDSA-Sig-Value` (RFC 5480 §2.2 / RFC 3279 §2.2.3), as TLS
    /// carries it.
    pub fn verify_der<H: HashFunction>(&self, msg: &[u8], der: &[u8]) -> Result<(), Error> {
        self.verify::<H>(msg, &ecdsa_signature_from_der(der)?)
    }

    /// Verifies `r || s` against a digest.
    pub fn verify_prehashed(&self, digest: &[u8], sig: &[u8]) -> Result<(), Error> {
        // Public inputs: the variable-time double-scalar multiplication, and the
        // x-coordinate compared without leaving projective coordinates.
        verify_digest(&FN, digest, sig, |u1, u2, r| {
            let q = Point::from_affine_bytes(&self.x, &self.y)?;
            let sum = vartime::double_mul(u1, u2, &q);
            Ok(vartime::x_matches_mod_n(&sum, r, &FN.m, &FP.m))
        })
    }
}

/// Encodes `r || s` as a DER `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }`
/// (RFC 3279 §2.2.3).
///
/// ```
/// use handshake_crypto::{ecdsa_signature_from_der, ecdsa_signature_to_der};
/// let mut sig = [0u8; 64];
/// sig[31] = 1;
/// sig[32] = 0x80;
/// let der = ecdsa_signature_to_der(&sig);
/// assert_eq!(ecdsa_signature_from_der(&der).unwrap(), sig);
/// ```
pub fn ecdsa_signature_to_der(sig: &[u8; 64]) -> Vec<u8> {
    ec::signature_to_der(sig)
}

/// Parses a strict DER `ECDSA-Sig-Value` into `r || s`: minimal lengths, minimal
/// non-negative integers of at most 32 significant bytes, nothing trailing. Any
/// violation (BER forms included) is [`Error::BadSignature`].
pub fn ecdsa_signature_from_der(der: &[u8]) -> Result<[u8; 64], Error> {
    let mut sig = [0u8; 64];
    ec::signature_from_der(der, &mut sig)?;
    Ok(sig)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Sha256;

    fn h(s: &str) -> Vec<u8> {
        (0..s.len() / 2)
            .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
            .collect()
    }

    /// Signing leaves k^-1, r d and e + r d nowhere: the temporaries it used are
    /// zero afterwards, and the signature is the one `sign_prehashed` gives.
    #[test]
    fn sign_wipes_its_temporaries() {
        let key = P256SecretKey::from_bytes(&[9u8; 32]).unwrap();
        let digest = Sha256::digest(b"wipe");
        let mut t = SignTemps::new();
        t.kinv = [2; 4];
        t.rd = [3; 4];
        let sig = key.sign_prehashed_with::<Sha256>(&digest, &mut t);
        assert_eq!(sig, key.sign_prehashed::<Sha256>(&digest));
        assert!(t.is_wiped());
        // They were used: signing with another key through the same slots changes
        // the signature, so the slots are not dead stores.
        let other = P256SecretKey::from_bytes(&[8u8; 32]).unwrap();
        assert_ne!(other.sign_prehashed_with::<Sha256>(&digest, &mut t), sig);
    }

    /// RFC 6979 §A.2.5, P-256 key, SHA-256, messages "sample" and "test".
    #[test]
    fn rfc6979_a25_sha256() {
        let x: [u8; 32] = h("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721")
            .try_into()
            .unwrap();
        let key = P256SecretKey::from_bytes(&x).unwrap();
        assert_eq!(
            key.public_key().to_uncompressed()[1..].to_vec(),
            h("60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb67903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299")
        );
        let sig = key.sign::<Sha256>(b"sample");
        assert_eq!(
            sig.to_vec(),
            h("efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8")
        );
        let sig = key.sign::<Sha256>(b"test");
        assert_eq!(
            sig.to_vec(),
            h("f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083")
        );
        key.public_key().verify::<Sha256>(b"test", &sig).unwrap();
    }
}
