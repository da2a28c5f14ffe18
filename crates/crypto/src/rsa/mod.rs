//! RSA (RFC 8017): key generation from a caller's RNG, RSAES-PKCS1-v1_5 with the
//! TLS implicit-rejection decryption (RFC 5246 §7.4.7.1), and RSASSA-PKCS1-v1_5 and
//! RSASSA-PSS signatures.
//!
//! The private operation is constant-time CRT exponentiation (fixed windows, masked
//! table reads) on a ciphertext blinded by `r^e`, unblinded with an inverse computed
//! by constant-time safegcd (Bernstein-Yang divsteps; with `std` a pair serves 32
//! operations, squared in between, as in OpenSSL and AWS-LC), and checked by
//! re-encrypting (against faults). The
//! decryption padding check never returns early and never branches on the
//! plaintext: the lesson of RUSTSEC-2023-0071 (the Marvin attack).

pub(crate) mod arith;
mod padding;

use alloc::vec;
use alloc::vec::Vec;
use rand_core::{CryptoRng, RngCore};
use zeroize::Zeroize;

use crate::bigint::{self, Modulus};
use crate::{Error, HashFunction};
use arith::{bits, ct_inverse, inv_f4_mod, is_probable_prime, mod_f4, mul_wide};

/// An RSA public key (n, e).
///
/// ```
/// # use handshake_crypto::{RsaPrivateKey, Sha256};
/// # use rand_chacha::rand_core::SeedableRng;
/// let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
/// let key = RsaPrivateKey::generate(&mut rng, 2048).unwrap();
/// let sig = key.sign_pkcs1v15::<Sha256, _>(&mut rng, b"hi").unwrap();
/// key.public_key().verify_pkcs1v15::<Sha256>(b"hi", &sig).unwrap();
/// ```
#[derive(Clone)]
pub struct RsaPublicKey {
    n: Modulus,
    n_limbs: Vec<u64>,
    e: Vec<u64>,
    /// Modulus length in bytes (k in RFC 8017).
    k: usize,
    mod_bits: usize,
}

impl core::fmt::Debug for RsaPublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "RsaPublicKey({} bits, e = {:?})", self.mod_bits, self.e)
    }
}

fn limbs_from_be(b: &[u8]) -> Vec<u64> {
    let mut l = vec![0u64; b.len().div_ceil(8).max(1)];
    bigint::from_be_bytes(&mut l, b);
    l
}

fn strip_zeros(b: &[u8]) -> &[u8] {
    &b[b.iter().position(|&x| x != 0).unwrap_or(b.len())..]
}

impl RsaPublicKey {
    /// A public key from big-endian `n` and `e` (leading zeros allowed). `n` must be
    /// odd and 2048 to 8192 bits; `e` odd, at least 3, at most 64 bits.
    pub fn new(n: &[u8], e: &[u8]) -> Result<Self, Error> {
        let (n, e) = (strip_zeros(n), strip_zeros(e));
        let n_limbs = limbs_from_be(n);
        let mod_bits = bits(&n_limbs);
        if !(2048..=8192).contains(&mod_bits) {
            return Err(Error::UnsupportedKeySize);
        }
        if e.len() > 8 || e.is_empty() || e[e.len() - 1] & 1 == 0 || (e.len() == 1 && e[0] < 3) {
            return Err(Error::InvalidPublicKey);
        }
        let modulus = Modulus::new(&n_limbs).ok_or(Error::InvalidPublicKey)?;
        Ok(RsaPublicKey {
            n: modulus,
            n_limbs,
            e: limbs_from_be(e),
            k: n.len(),
            mod_bits,
        })
    }

    /// The modulus, big-endian without leading zeros.
    pub fn n_bytes(&self) -> Vec<u8> {
        let mut out = vec![0u8; self.k];
        bigint::to_be_bytes(&self.n_limbs, &mut out);
        out
    }

    /// The public exponent, big-endian without leading zeros.
    pub fn e_bytes(&self) -> Vec<u8> {
        let mut out = vec![0u8; 8 * self.e.len()];
        bigint::to_be_bytes(&self.e, &mut out);
        strip_zeros(&out).to_vec()
    }

    /// The modulus length in bits.
    pub fn bits(&self) -> usize {
        self.mod_bits
    }

    /// RSAEP / RSAVP1 (§5.1.1, §5.2.2): `x^e mod n` for a `k`-byte `x < n`.
    fn public_op(&self, x: &[u8]) -> Result<Vec<u8>, Error> {
        if x.len() != self.k {
            return Err(Error::InvalidLength);
        }
        let xl = self.limbs(x);
        if bigint::ct_lt_limbs(&xl, &self.n_limbs) != u64::MAX {
            return Err(Error::InvalidLength);
        }
        Ok(self.to_bytes(&self.n.pow_public(&xl, &self.e)))
    }

    fn limbs(&self, x: &[u8]) -> Vec<u64> {
        let mut l = vec![0u64; self.n_limbs.len()];
        bigint::from_be_bytes(&mut l, x);
        l
    }

    fn to_bytes(&self, l: &[u64]) -> Vec<u8> {
        let mut out = vec![0u8; self.k];
        bigint::to_be_bytes(l, &mut out);
        out
    }

    /// RSASSA-PKCS1-v1_5-VERIFY (§8.2.2): re-encodes and compares, so no parser
    /// looks at the recovered bytes (no Bleichenbacher-2006 forgery).
    pub fn verify_pkcs1v15<H: HashFunction>(&self, msg: &[u8], sig: &[u8]) -> Result<(), Error> {
        let em = self.public_op(sig).map_err(|_| Error::BadSignature)?;
        let want = padding::pkcs1v15_sig_encode::<H>(msg, self.k)?;
        if crate::ct_eq(&em, &want) {
            Ok(())
        } else {
            Err(Error::BadSignature)
        }
    }

    /// RSASSA-PSS-VERIFY (§8.1.2) with MGF1 over `H` and a salt as long as the hash
    /// (what TLS 1.3 requires, RFC 8446 §4.2.3).
    pub fn verify_pss<H: HashFunction>(&self, msg: &[u8], sig: &[u8]) -> Result<(), Error> {
        self.verify_pss_with::<H, H>(msg, sig, H::OUTPUT_LEN)
    }

    /// RSASSA-PSS-VERIFY with hash `H`, MGF1 over `G` and salt length `salt_len`.
    pub fn verify_pss_with<H: HashFunction, G: HashFunction>(
        &self,
        msg: &[u8],
        sig: &[u8],
        salt_len: usize,
    ) -> Result<(), Error> {
        let m = self.public_op(sig).map_err(|_| Error::BadSignature)?;
        let em_bits = self.mod_bits - 1;
        let em_len = em_bits.div_ceil(8);
        // EM is the low emLen bytes; a leading byte beyond them must be zero.
        if m[..self.k - em_len].iter().any(|&b| b != 0) {
            return Err(Error::BadSignature);
        }
        padding::pss_verify::<H, G>(msg, &m[self.k - em_len..], em_bits, salt_len)
    }

    /// RSAES-PKCS1-v1_5-ENCRYPT (§7.2.1).
    pub fn encrypt_pkcs1v15<R: RngCore + CryptoRng>(
        &self,
        rng: &mut R,
        msg: &[u8],
    ) -> Result<Vec<u8>, Error> {
        let mut em = padding::pkcs1v15_enc_pad(msg, self.k, &mut |b| rng.fill_bytes(b))?;
        let c = self.public_op(&em);
        em.zeroize();
        c
    }
}

/// An RSA private key with its CRT parameters; secrets are zeroized on drop.
///
/// ```
/// # use handshake_crypto::{RsaPrivateKey, Sha256};
/// # use rand_chacha::rand_core::SeedableRng;
/// let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(9);
/// let key = RsaPrivateKey::generate(&mut rng, 2048).unwrap();
/// let sig = key.sign_pss::<Sha256, _>(&mut rng, b"tbs").unwrap();
/// key.public_key().verify_pss::<Sha256>(b"tbs", &sig).unwrap();
/// // The components rebuild the same key.
/// let again = RsaPrivateKey::from_components(&key.components()).unwrap();
/// assert_eq!(again.public_key().n_bytes(), key.public_key().n_bytes());
/// ```
pub struct RsaPrivateKey {
    public: RsaPublicKey,
    d: Vec<u64>,
    p: Modulus,
    q: Modulus,
    dp: Vec<u64>,
    dq: Vec<u64>,
    qinv: Vec<u64>,
    /// The last blinding pair, squared for the next operation (see
    /// [`RsaPrivateKey::private_op`]).
    #[cfg(feature = "std")]
    blinding: std::sync::Mutex<Option<alloc::boxed::Box<Blinding>>>,
}

impl Drop for RsaPrivateKey {
    fn drop(&mut self) {
        self.d.zeroize();
        self.dp.zeroize();
        self.dq.zeroize();
        self.qinv.zeroize();
    }
}

/// A base-blinding pair: `r^e mod n` and `r^-1` modulo each prime, with the
/// number of operations it has served. Zeroized on drop.
struct Blinding {
    re: Vec<u64>,
    rp_inv: Vec<u64>,
    rq_inv: Vec<u64>,
    #[cfg_attr(not(feature = "std"), allow(dead_code))]
    uses: u32,
}

impl Drop for Blinding {
    fn drop(&mut self) {
        self.re.zeroize();
        self.rp_inv.zeroize();
        self.rq_inv.zeroize();
    }
}

/// Operations one random blinding pair serves, squared before each reuse
/// (OpenSSL's and AWS-LC's `BN_BLINDING_COUNTER`).
#[cfg_attr(not(feature = "std"), allow(dead_code))]
const BLINDING_USES: u32 = 32;

impl core::fmt::Debug for RsaPrivateKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "RsaPrivateKey({:?})", self.public)
    }
}

/// The fields of a private key, big-endian, as PKCS#1 `RSAPrivateKey` lists them
/// (RFC 8017 §A.1.2); zeroized on drop. See [`RsaPrivateKey::from_components`]
/// and [`RsaPrivateKey::components`] for an example.
#[derive(Clone, Zeroize)]
#[zeroize(drop)]
pub struct RsaPrivateComponents {
    /// Modulus.
    pub n: Vec<u8>,
    /// Public exponent.
    pub e: Vec<u8>,
    /// Private exponent.
    pub d: Vec<u8>,
    /// First prime.
    pub p: Vec<u8>,
    /// Second prime.
    pub q: Vec<u8>,
    /// d mod (p - 1).
    pub dp: Vec<u8>,
    /// d mod (q - 1).
    pub dq: Vec<u8>,
    /// q^-1 mod p.
    pub qinv: Vec<u8>,
}

impl RsaPrivateKey {
    /// Generates a `bits`-bit key (2048 to 4096, a multiple of 128) with e = 65537:
    /// two `bits/2`-bit primes with their top two bits set (FIPS 186-5 §A.1.3), 8
    /// Miller-Rabin rounds each, gcd(e, p-1) = 1, and |p - q| large.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R, bits: usize) -> Result<Self, Error> {
        if !(2048..=4096).contains(&bits) || !bits.is_multiple_of(128) {
            return Err(Error::UnsupportedKeySize);
        }
        let half = bits / 128; // limbs per prime
        loop {
            let p = gen_prime(rng, half);
            let q = gen_prime(rng, half);
            // |p - q| > 2^(bits/2 - 100): their top 64 bits differ (FIPS 186-5 §A.1.3).
            if p[half - 1] == q[half - 1] {
                continue;
            }
            let key = Self::from_primes(&p, &q);
            if let Ok(key) = key {
                return Ok(key);
            }
        }
    }

    /// Derives every CRT parameter from two primes (e = 65537).
    fn from_primes(p: &[u64], q: &[u64]) -> Result<Self, Error> {
        let n = mul_wide(p, q);
        let mut pm1 = p.to_vec();
        pm1[0] -= 1;
        let mut qm1 = q.to_vec();
        qm1[0] -= 1;
        let phi = mul_wide(&pm1, &qm1);
        let d = inv_f4_mod(&phi);
        let dp = inv_f4_mod(&pm1);
        let dq = inv_f4_mod(&qm1);
        let pm = Modulus::new(p).ok_or(Error::InvalidPrivateKey)?;
        let q_mod_p = pm.leave_mont(&pm.to_mont(q));
        let qinv = ct_inverse(&q_mod_p, p).ok_or(Error::InvalidPrivateKey)?;
        let to_be = |l: &[u64]| {
            let mut b = vec![0u8; 8 * l.len()];
            bigint::to_be_bytes(l, &mut b);
            b
        };
        Self::from_components(&RsaPrivateComponents {
            n: to_be(&n),
            e: vec![1, 0, 1],
            d: to_be(&d),
            p: to_be(p),
            q: to_be(q),
            dp: to_be(&dp),
            dq: to_be(&dq),
            qinv: to_be(&qinv),
        })
    }

    /// A key from its PKCS#1 components. Checks that p q = n, that every CRT value
    /// is below its modulus, and that a test value survives a sign/verify round
    /// trip (so inconsistent parameters are refused, not used).
    pub fn from_components(c: &RsaPrivateComponents) -> Result<Self, Error> {
        let public = RsaPublicKey::new(&c.n, &c.e)?;
        let bad = Error::InvalidPrivateKey;
        let p = limbs_from_be(strip_zeros(&c.p));
        let q = limbs_from_be(strip_zeros(&c.q));
        let mut nn = mul_wide(&p, &q);
        nn.resize(public.n_limbs.len().max(nn.len()), 0);
        if nn[..public.n_limbs.len()] != public.n_limbs[..]
            || nn[public.n_limbs.len()..].iter().any(|&l| l != 0)
        {
            return Err(bad);
        }
        let fit = |v: &[u8], m: &[u64]| -> Result<Vec<u64>, Error> {
            let v = strip_zeros(v);
            if v.len() > 8 * m.len() {
                return Err(Error::InvalidPrivateKey);
            }
            let mut l = vec![0u64; m.len()];
            bigint::from_be_bytes(&mut l, v);
            Ok(l)
        };
        let dp = fit(&c.dp, &p)?;
        let dq = fit(&c.dq, &q)?;
        let qinv = fit(&c.qinv, &p)?;
        if bigint::ct_lt_limbs(&qinv, &p) != u64::MAX {
            return Err(bad);
        }
        let d = fit(&c.d, &public.n_limbs)?;
        let key = RsaPrivateKey {
            p: Modulus::new(&p).ok_or(bad)?,
            q: Modulus::new(&q).ok_or(bad)?,
            public,
            d,
            dp,
            dq,
            qinv,
            #[cfg(feature = "std")]
            blinding: std::sync::Mutex::new(None),
        };
        // Consistency: (x^e)^d = x for x = 2.
        let mut two = vec![0u8; key.public.k];
        two[key.public.k - 1] = 2;
        let c2 = key.public.public_op(&two)?;
        let back = key
            .raw_private(&key.public.limbs(&c2), None)
            .map_err(|_| bad)?;
        if key.public.to_bytes(&back) != two {
            return Err(bad);
        }
        Ok(key)
    }

    /// The PKCS#1 components, for encoding.
    pub fn components(&self) -> RsaPrivateComponents {
        let be = |l: &[u64]| {
            let mut b = vec![0u8; 8 * l.len()];
            bigint::to_be_bytes(l, &mut b);
            strip_zeros(&b).to_vec()
        };
        RsaPrivateComponents {
            n: self.public.n_bytes(),
            e: self.public.e_bytes(),
            d: be(&self.d),
            p: be(&self.p.n),
            q: be(&self.q.n),
            dp: be(&self.dp),
            dq: be(&self.dq),
            qinv: be(&self.qinv),
        }
    }

    /// The public half.
    pub fn public_key(&self) -> &RsaPublicKey {
        &self.public
    }

    /// CRT exponentiation `c^d mod n` (Garner), constant time. With `unblind`,
    /// each half is multiplied by `r^-1` modulo its prime before recombining.
    fn raw_private(&self, c: &[u64], unblind: Option<(&[u64], &[u64])>) -> Result<Vec<u64>, Error> {
        let mut cb = self.public.to_bytes(c);
        let cp = self.p.reduce_be_bytes(&cb);
        let cq = self.q.reduce_be_bytes(&cb);
        cb.zeroize();
        // Both halves at once: independent, so a vector path can interleave them.
        let (mut m1, mut m2) = self.p.pow_pair_with(
            crate::Backend::auto(),
            &cp,
            &self.dp,
            64 * self.dp.len(),
            &self.q,
            &cq,
            &self.dq,
            64 * self.dq.len(),
        );
        if let Some((rp_inv, rq_inv)) = unblind {
            let mut t = vec![0u64; self.p.len()];
            self.p.mul(&mut t, &self.p.to_mont(&m1), rp_inv);
            m1.copy_from_slice(&t);
            let mut t = vec![0u64; self.q.len()];
            self.q.mul(&mut t, &self.q.to_mont(&m2), rq_inv);
            m2.copy_from_slice(&t);
        }
        let mut m2b = vec![0u8; 8 * m2.len()];
        bigint::to_be_bytes(&m2, &mut m2b);
        let m2p = self.p.reduce_be_bytes(&m2b);
        m2b.zeroize();
        bigint::mod_sub(&mut m1, &m2p, &self.p.n);
        let mut h = vec![0u64; self.p.len()];
        self.p.mul(&mut h, &self.p.to_mont(&self.qinv), &m1);
        let mut m = mul_wide(&h, &self.q.n);
        let mut m2w = m2.clone();
        m2w.resize(m.len(), 0);
        bigint::add_assign(&mut m, &m2w);
        m.resize(self.public.n_limbs.len(), 0);
        m1.zeroize();
        m2.zeroize();
        h.zeroize();
        Ok(m)
    }

    /// RSADP / RSASP1 with base blinding and a fault check: `c^d mod n` for `c < n`.
    ///
    /// The ciphertext is multiplied by `r^e` for a random r; the result is
    /// unblinded in each CRT half with `r^-1 mod p` and `r^-1 mod q` (constant-time
    /// safegcd inverses at half size). With `std` a pair serves up to
    /// [`BLINDING_USES`] operations, squared before each reuse (`(r^2)^e =
    /// (r^e)^2`, `(r^2)^-1 = (r^-1)^2`), as OpenSSL's and AWS-LC's blinding does:
    /// three multiplications instead of two inversions and an exponentiation. A
    /// thread that finds the pair in use draws a fresh one rather than wait.
    fn private_op<R: RngCore + CryptoRng>(
        &self,
        rng: &mut R,
        c: &[u64],
    ) -> Result<Vec<u64>, Error> {
        let n = &self.public.n;
        let len = n.len();
        let b = self.blinding(rng);
        let mut blinded = vec![0u64; len];
        n.mul(&mut blinded, &n.to_mont(c), &b.re);
        let mut m = self.raw_private(&blinded, Some((&b.rp_inv, &b.rq_inv)))?;
        blinded.zeroize();
        #[cfg(feature = "std")]
        if let Ok(mut slot) = self.blinding.try_lock() {
            *slot = Some(alloc::boxed::Box::new(b));
        }
        // Fault check (Boneh-DeMillo-Lipton): m^e must give c back.
        let check = n.pow_public(&m, &self.public.e);
        if bigint::ct_eq_limbs(&check, c) != u64::MAX {
            m.zeroize();
            return Err(Error::DecryptionFailed);
        }
        Ok(m)
    }

    /// The blinding pair for one operation: the cached one squared, or a fresh
    /// one every [`BLINDING_USES`] operations (and always without `std`).
    fn blinding<R: RngCore + CryptoRng>(&self, rng: &mut R) -> Blinding {
        #[cfg(feature = "std")]
        if let Ok(mut slot) = self.blinding.try_lock() {
            if let Some(mut b) = slot.take() {
                if b.uses < BLINDING_USES {
                    let square = |m: &Modulus, x: &mut Vec<u64>| {
                        let mut t = vec![0u64; m.len()];
                        m.mul(&mut t, &m.to_mont(x), x);
                        x.copy_from_slice(&t);
                        t.zeroize();
                    };
                    square(&self.public.n, &mut b.re);
                    square(&self.p, &mut b.rp_inv);
                    square(&self.q, &mut b.rq_inv);
                    b.uses += 1;
                    return *b;
                }
            }
        }
        let n = &self.public.n;
        let len = n.len();
        // A random r, invertible mod p and q (fails with negligible probability).
        loop {
            let mut rb = vec![0u8; 8 * len];
            rng.fill_bytes(&mut rb);
            let mut r = n.reduce_be_bytes(&rb);
            let mut rp = self.p.reduce_be_bytes(&rb);
            let mut rq = self.q.reduce_be_bytes(&rb);
            rb.zeroize();
            // p and q divide n, so (rb mod n) mod p = rb mod p.
            let inverses = (ct_inverse(&rp, &self.p.n), ct_inverse(&rq, &self.q.n));
            rp.zeroize();
            rq.zeroize();
            if let (Some(rp_inv), Some(rq_inv)) = inverses {
                let re = n.pow_public(&r, &self.public.e);
                r.zeroize();
                return Blinding {
                    re,
                    rp_inv,
                    rq_inv,
                    uses: 1,
                };
            }
        }
    }

    fn private_bytes<R: RngCore + CryptoRng>(
        &self,
        rng: &mut R,
        x: &[u8],
    ) -> Result<Vec<u8>, Error> {
        if x.len() != self.public.k {
            return Err(Error::InvalidLength);
        }
        let xl = self.public.limbs(x);
        if bigint::ct_lt_limbs(&xl, &self.public.n_limbs) != u64::MAX {
            return Err(Error::InvalidLength);
        }
        let mut m = self.private_op(rng, &xl)?;
        let out = self.public.to_bytes(&m);
        m.zeroize();
        Ok(out)
    }

    /// RSASSA-PKCS1-v1_5-SIGN (§8.2.1); `rng` feeds the blinding.
    pub fn sign_pkcs1v15<H: HashFunction, R: RngCore + CryptoRng>(
        &self,
        rng: &mut R,
        msg: &[u8],
    ) -> Result<Vec<u8>, Error> {
        let em = padding::pkcs1v15_sig_encode::<H>(msg, self.public.k)?;
        self.private_bytes(rng, &em)
    }

    /// RSASSA-PSS-SIGN (§8.1.1), MGF1 over `H`, a random salt of the hash's length.
    pub fn sign_pss<H: HashFunction, R: RngCore + CryptoRng>(
        &self,
        rng: &mut R,
        msg: &[u8],
    ) -> Result<Vec<u8>, Error> {
        let mut salt = vec![0u8; H::OUTPUT_LEN];
        rng.fill_bytes(&mut salt);
        let em_bits = self.public.mod_bits - 1;
        let em = padding::pss_encode::<H>(msg, &salt, em_bits)?;
        let mut full = vec![0u8; self.public.k - em.len()];
        full.extend_from_slice(&em);
        self.private_bytes(rng, &full)
    }

    /// RSAES-PKCS1-v1_5-DECRYPT (§7.2.2). The padding check is constant time, but
    /// the `Result` itself tells valid from invalid: TLS servers must use
    /// [`RsaPrivateKey::decrypt_pkcs1v15_implicit`] instead.
    pub fn decrypt_pkcs1v15<R: RngCore + CryptoRng>(
        &self,
        rng: &mut R,
        ct: &[u8],
    ) -> Result<Vec<u8>, Error> {
        let mut em = self
            .private_bytes(rng, ct)
            .map_err(|_| Error::DecryptionFailed)?;
        let (good, start) = padding::pkcs1v15_enc_check(&em);
        let out = if good == u32::MAX {
            Ok(em[start as usize..].to_vec())
        } else {
            Err(Error::DecryptionFailed)
        };
        em.zeroize();
        out
    }

    /// Decryption with implicit rejection, as RFC 5246 §7.4.7.1 prescribes for the
    /// premaster secret: returns the plaintext when the ciphertext is well formed and
    /// its message has exactly `fallback.len()` bytes, and otherwise `fallback` (a
    /// random value the caller drew *before* decrypting). Which one is returned is
    /// decided by masks: the same instructions run for good and bad padding.
    ///
    /// ```
    /// # use handshake_crypto::RsaPrivateKey;
    /// # use rand_chacha::rand_core::SeedableRng;
    /// let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    /// let key = RsaPrivateKey::generate(&mut rng, 2048).unwrap();
    /// let pms = [3u8; 48];
    /// let ct = key.public_key().encrypt_pkcs1v15(&mut rng, &pms).unwrap();
    /// let random = [9u8; 48];
    /// assert_eq!(key.decrypt_pkcs1v15_implicit(&mut rng, &ct, &random), pms);
    /// let mut bad = ct.clone();
    /// bad[5] ^= 1;
    /// assert_eq!(key.decrypt_pkcs1v15_implicit(&mut rng, &bad, &random), random);
    /// ```
    pub fn decrypt_pkcs1v15_implicit<R: RngCore + CryptoRng>(
        &self,
        rng: &mut R,
        ct: &[u8],
        fallback: &[u8],
    ) -> Vec<u8> {
        if fallback.len() + 11 > self.public.k {
            return fallback.to_vec();
        }
        // A ciphertext of the wrong length or not below n is public information;
        // it still gets the fallback, like every other failure.
        match self.private_bytes(rng, ct) {
            Ok(mut em) => {
                let out = padding::pkcs1v15_implicit(&em, fallback);
                em.zeroize();
                out
            }
            Err(_) => fallback.to_vec(),
        }
    }
}

/// A random prime of `limbs` 64-bit limbs with its top two bits set and
/// gcd(65537, p - 1) = 1.
fn gen_prime<R: RngCore + CryptoRng>(rng: &mut R, limbs: usize) -> Vec<u64> {
    loop {
        let mut b = vec![0u8; 8 * limbs];
        rng.fill_bytes(&mut b);
        let mut p = vec![0u64; limbs];
        bigint::from_be_bytes(&mut p, &b);
        b.zeroize();
        p[limbs - 1] |= 0xc000_0000_0000_0000;
        p[0] |= 1;
        let mut pm1 = p.clone();
        pm1[0] -= 1;
        if mod_f4(&pm1) != 0 && is_probable_prime(&p, 8, rng) {
            return p;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bigint::tests::MODULI_BUILT;
    use crate::Sha256;
    use rand::SeedableRng;

    /// A blinding pair serves BLINDING_USES operations, squared in between: 70
    /// signatures draw randomness 3 times (fresh pairs at operations 1, 33 and 65),
    /// and every signature is the deterministic PKCS#1 v1.5 one, equal to the
    /// first and valid.
    #[cfg(feature = "std")]
    #[test]
    fn blinding_pairs_are_reused_then_renewed() {
        use rand::SeedableRng;
        struct Counting(rand_chacha::ChaCha20Rng, usize);
        impl RngCore for Counting {
            fn next_u32(&mut self) -> u32 {
                self.1 += 1;
                self.0.next_u32()
            }
            fn next_u64(&mut self) -> u64 {
                self.1 += 1;
                self.0.next_u64()
            }
            fn fill_bytes(&mut self, d: &mut [u8]) {
                self.1 += 1;
                self.0.fill_bytes(d)
            }
            fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), rand_core::Error> {
                self.1 += 1;
                self.0.try_fill_bytes(d)
            }
        }
        impl CryptoRng for Counting {}
        let mut g = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        let key = RsaPrivateKey::generate(&mut g, 2048).unwrap();
        let mut rng = Counting(rand_chacha::ChaCha20Rng::seed_from_u64(8), 0);
        let first = key
            .sign_pkcs1v15::<crate::Sha256, _>(&mut rng, b"m")
            .unwrap();
        key.public_key()
            .verify_pkcs1v15::<crate::Sha256>(b"m", &first)
            .unwrap();
        for _ in 1..70 {
            let s = key
                .sign_pkcs1v15::<crate::Sha256, _>(&mut rng, b"m")
                .unwrap();
            assert_eq!(s, first);
        }
        assert_eq!(rng.1, 3);
    }

    /// The private key's moduli (p, q, and n for the blinding and the fault check)
    /// are built once, when the key is made: signing and decrypting build none.
    #[test]
    fn private_operations_build_no_modulus() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(18);
        let key = RsaPrivateKey::generate(&mut rng, 2048).unwrap();
        let loaded = RsaPrivateKey::from_components(&key.components()).unwrap();
        let ct = key
            .public_key()
            .encrypt_pkcs1v15(&mut rng, &[7; 48])
            .unwrap();
        let before = MODULI_BUILT.with(|c| c.get());
        let sig = loaded.sign_pkcs1v15::<Sha256, _>(&mut rng, b"msg").unwrap();
        let pss = loaded.sign_pss::<Sha256, _>(&mut rng, b"msg").unwrap();
        let pt = loaded.decrypt_pkcs1v15(&mut rng, &ct).unwrap();
        let implicit = loaded.decrypt_pkcs1v15_implicit(&mut rng, &ct, &[0; 48]);
        assert_eq!(MODULI_BUILT.with(|c| c.get()), before);
        // The operations did their work.
        assert_eq!(pt, [7; 48]);
        assert_eq!(implicit, [7; 48]);
        key.public_key()
            .verify_pkcs1v15::<Sha256>(b"msg", &sig)
            .unwrap();
        key.public_key().verify_pss::<Sha256>(b"msg", &pss).unwrap();
        // The counter counts: building a public key builds its modulus.
        let _ = RsaPublicKey::new(&key.public_key().n_bytes(), &[1, 0, 1]).unwrap();
        assert_eq!(MODULI_BUILT.with(|c| c.get()), before + 1);
    }
}
