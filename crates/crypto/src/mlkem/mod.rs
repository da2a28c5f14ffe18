//! ML-KEM (FIPS 203), the module-lattice key-encapsulation mechanism, in its three
//! parameter sets [`mlkem512`], [`mlkem768`] and [`mlkem1024`], all from one core.
//!
//! Each parameter set has an [`EncapsulationKey`](mlkem768::EncapsulationKey)
//! (public), a [`DecapsulationKey`](mlkem768::DecapsulationKey) (secret, zeroized
//! on drop) and a [`Ciphertext`](mlkem768::Ciphertext), with `from_bytes` and
//! `as_bytes` in the byte formats of FIPS 203 §7. The crate draws no randomness of
//! its own: key generation takes the seeds d and z (ML-KEM.KeyGen_internal, FIPS
//! 203 Algorithm 16) or a caller's RNG, and encapsulation takes m (Algorithm 17)
//! or a caller's RNG.
//!
//! - Input checks: [`EncapsulationKey::from_bytes`](mlkem768::EncapsulationKey::from_bytes)
//!   runs the modulus check of §7.2 ([`Error::EncapsulationKeyNotReduced`]),
//!   [`DecapsulationKey::from_bytes`](mlkem768::DecapsulationKey::from_bytes) the
//!   hash check of §7.3 ([`Error::DecapsulationKeyHashMismatch`]); wrong lengths are
//!   [`Error::InvalidLength`].
//! - Decapsulation uses implicit rejection (Algorithm 18): a ciphertext that does
//!   not re-encrypt to itself yields K̄ = J(z ‖ c), the comparison and the choice
//!   made with masks, in constant time.
//! - Constant time on secrets: Montgomery and Barrett reduction with shifts and
//!   multiplications only, compression by a multiply-and-shift reciprocal instead
//!   of a division (KyberSlash), noise sampled and messages encoded with masks.
//! - Speed: on x86-64 with AVX2 (detected at run time, `Backend::auto`), the
//!   NTT, inverse NTT and base multiplication run in `x86::mlkem_avx2`, equal
//!   bit for bit to the portable code, and all of an operation's SHAKE calls
//!   (Â, the noise, J) run four at a time in a four-way Keccak-f\[1600\]
//!   (`sha3::SpongesX4`).
//!
//! ```
//! use handshake_crypto::mlkem::mlkem768::{Ciphertext, DecapsulationKey, EncapsulationKey};
//!
//! let dk = DecapsulationKey::from_seed(&[1; 32], &[2; 32]);
//! let ek = EncapsulationKey::from_bytes(dk.encapsulation_key().as_bytes()).unwrap();
//! let (ct, shared) = ek.encapsulate_deterministic(&[3; 32]);
//! let ct = Ciphertext::from_bytes(ct.as_bytes()).unwrap();
//! assert_eq!(dk.decapsulate(&ct), shared);
//! ```

mod kpke;
pub(crate) mod ntt;
pub(crate) mod poly;
#[cfg(test)]
mod tests;

#[allow(unused_imports)] // for the doc links
use crate::Error;

/// Length of the shared secret K of every parameter set (FIPS 203 §8, Table 3).
pub const SHARED_SECRET_LEN: usize = 32;

macro_rules! parameter_set {
    (
        $module:ident, $name:literal, $params:expr,
        ek: $ek:literal, dk: $dk:literal, ct: $ct:literal
    ) => {
        #[doc = concat!($name, " (FIPS 203 §8): the key types and encapsulation.")]
        ///
        /// ```
        #[doc = concat!("use handshake_crypto::mlkem::", stringify!($module), "::DecapsulationKey;")]
        /// let dk = DecapsulationKey::from_seed(&[7; 32], &[8; 32]);
        /// let (ct, k) = dk.encapsulation_key().encapsulate_deterministic(&[9; 32]);
        /// assert_eq!(dk.decapsulate(&ct), k);
        /// ```
        pub mod $module {
            use super::kpke::{self, Params};
            use crate::Error;
            use rand_core::{CryptoRng, RngCore};
            use zeroize::{Zeroize, ZeroizeOnDrop};

            const P: Params = $params;

            /// Length of an encapsulation key (FIPS 203 §8, Table 3).
            pub const ENCAPSULATION_KEY_LEN: usize = $ek;
            /// Length of a decapsulation key.
            pub const DECAPSULATION_KEY_LEN: usize = $dk;
            /// Length of a ciphertext.
            pub const CIPHERTEXT_LEN: usize = $ct;

            const _: () = assert!(P.ek_len() == $ek && P.dk_len() == $dk && P.ct_len() == $ct);

            #[doc = concat!("An ", $name, " encapsulation key: public, and known to pass the")]
            /// modulus check of FIPS 203 §7.2. It keeps H(ek) beside the bytes, computed
            /// once when the key is made (an equivalent implementation, FIPS 203 §3.3:
            /// encapsulation needs H(ek) every time).
            #[derive(Clone, PartialEq, Eq)]
            pub struct EncapsulationKey([u8; $ek], [u8; 32]);

            #[doc = concat!("An ", $name, " ciphertext.")]
            #[derive(Clone, PartialEq, Eq)]
            pub struct Ciphertext([u8; $ct]);

            #[doc = concat!("An ", $name, " decapsulation key, dk = dk_PKE ‖ ek ‖ H(ek) ‖ z")]
            /// (FIPS 203 Algorithm 16), zeroized on drop.
            #[derive(Clone, Zeroize, ZeroizeOnDrop)]
            pub struct DecapsulationKey([u8; $dk]);

            impl EncapsulationKey {
                /// Parses an encapsulation key, with the checks of FIPS 203 §7.2: the
                /// length ([`Error::InvalidLength`]) and the modulus check, every
                /// 12-bit coefficient of t̂ below q ([`Error::EncapsulationKeyNotReduced`]).
                pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
                    let bytes: [u8; $ek] = bytes.try_into().map_err(|_| Error::InvalidLength)?;
                    let mut ok = u32::MAX;
                    let mut p = super::poly::ZERO;
                    for i in 0..P.k {
                        ok &= super::poly::decode12(&bytes[384 * i..384 * (i + 1)], &mut p);
                    }
                    if ok != u32::MAX {
                        return Err(Error::EncapsulationKeyNotReduced);
                    }
                    let hash = kpke::h(&bytes);
                    Ok(EncapsulationKey(bytes, hash))
                }

                /// The key's bytes.
                pub fn as_bytes(&self) -> &[u8; $ek] {
                    &self.0
                }

                /// ML-KEM.Encaps_internal (FIPS 203 Algorithm 17) with the caller's
                /// 32 random bytes `m`: the ciphertext and the shared secret K.
                pub fn encapsulate_deterministic(&self, m: &[u8; 32]) -> (Ciphertext, [u8; 32]) {
                    let mut c = [0u8; $ct];
                    let key = kpke::encaps_internal(&P, &self.0, &self.1, m, &mut c);
                    (Ciphertext(c), key)
                }

                /// ML-KEM.Encaps (FIPS 203 Algorithm 20): m drawn from `rng`.
                pub fn encapsulate<R: RngCore + CryptoRng>(&self, rng: &mut R) -> (Ciphertext, [u8; 32]) {
                    let mut m = zeroize::Zeroizing::new([0u8; 32]);
                    rng.fill_bytes(&mut m[..]);
                    self.encapsulate_deterministic(&m)
                }
            }

            impl Ciphertext {
                /// Wraps a ciphertext; only its length is checked
                /// ([`Error::InvalidLength`], FIPS 203 §7.3).
                pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
                    bytes.try_into().map(Ciphertext).map_err(|_| Error::InvalidLength)
                }

                /// The ciphertext's bytes.
                pub fn as_bytes(&self) -> &[u8; $ct] {
                    &self.0
                }
            }

            impl DecapsulationKey {
                /// ML-KEM.KeyGen_internal (FIPS 203 Algorithm 16) from the seeds d and z.
                pub fn from_seed(d: &[u8; 32], z: &[u8; 32]) -> Self {
                    let mut ek = [0u8; $ek];
                    let mut dk = [0u8; $dk];
                    kpke::keygen_internal(&P, d, z, &mut ek, &mut dk);
                    DecapsulationKey(dk)
                }

                /// ML-KEM.KeyGen (FIPS 203 Algorithm 19): d and z drawn from `rng`.
                pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
                    let mut seed = zeroize::Zeroizing::new([[0u8; 32]; 2]);
                    rng.fill_bytes(&mut seed[0]);
                    rng.fill_bytes(&mut seed[1]);
                    Self::from_seed(&seed[0], &seed[1])
                }

                /// Parses a decapsulation key, with the checks of FIPS 203 §7.3: the
                /// length ([`Error::InvalidLength`]) and the hash check, H(ek) as
                /// stored in the key ([`Error::DecapsulationKeyHashMismatch`]).
                pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
                    let key = bytes
                        .try_into()
                        .map(DecapsulationKey)
                        .map_err(|_| Error::InvalidLength)?;
                    let k = P.k;
                    let hash = kpke::h(&key.0[384 * k..768 * k + 32]);
                    if !crate::ct_eq(&hash, &key.0[768 * k + 32..768 * k + 64]) {
                        return Err(Error::DecapsulationKeyHashMismatch);
                    }
                    Ok(key)
                }

                /// The key's bytes (secret).
                pub fn as_bytes(&self) -> &[u8; $dk] {
                    &self.0
                }

                /// The encapsulation key inside (FIPS 203 Algorithm 16: dk holds ek).
                pub fn encapsulation_key(&self) -> EncapsulationKey {
                    let mut ek = [0u8; $ek];
                    ek.copy_from_slice(&self.0[384 * P.k..768 * P.k + 32]);
                    let mut hash = [0u8; 32];
                    hash.copy_from_slice(&self.0[768 * P.k + 32..768 * P.k + 64]);
                    EncapsulationKey(ek, hash)
                }

                /// ML-KEM.Decaps_internal (FIPS 203 Algorithm 18): the shared secret,
                /// or K̄ = J(z ‖ c) when `c` does not re-encrypt to itself (implicit
                /// rejection: never an error, and not distinguishable by timing).
                pub fn decapsulate(&self, c: &Ciphertext) -> [u8; 32] {
                    kpke::decaps_internal(&P, &self.0, &c.0)
                }
            }

            impl core::fmt::Debug for EncapsulationKey {
                fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                    f.debug_struct(concat!($name, " EncapsulationKey")).finish_non_exhaustive()
                }
            }

            impl core::fmt::Debug for Ciphertext {
                fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                    f.debug_struct(concat!($name, " Ciphertext")).finish_non_exhaustive()
                }
            }

            impl core::fmt::Debug for DecapsulationKey {
                fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                    f.write_str(concat!($name, " DecapsulationKey(..)"))
                }
            }
        }
    };
}

parameter_set!(mlkem512, "ML-KEM-512", Params { k: 2, eta1: 3, eta2: 2, du: 10, dv: 4 },
    ek: 800, dk: 1632, ct: 768);
parameter_set!(mlkem768, "ML-KEM-768", Params { k: 3, eta1: 2, eta2: 2, du: 10, dv: 4 },
    ek: 1184, dk: 2400, ct: 1088);
parameter_set!(mlkem1024, "ML-KEM-1024", Params { k: 4, eta1: 2, eta2: 2, du: 11, dv: 5 },
    ek: 1568, dk: 3168, ct: 1568);
