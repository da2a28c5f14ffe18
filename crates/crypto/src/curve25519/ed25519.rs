//! Ed25519 signatures (RFC 8032 §5.1): the twisted Edwards curve
//! -x^2 + y^2 = 1 + d x^2 y^2 in extended coordinates (Hisil, Wong, Carter, Dawson
//! 2008), whose unified addition is complete, so scalar multiplication needs no
//! special cases; scalars modulo L use the constant-time Montgomery field code.

use zeroize::{Zeroize, ZeroizeOnDrop};

use super::field::Fe;
use crate::p256::field::{Field, Limbs};
use crate::{Error, Sha512};

/// d = -121665/121666 (RFC 8032 §5.1), little-endian.
const D: [u8; 32] = [
    0xa3, 0x78, 0x59, 0x13, 0xca, 0x4d, 0xeb, 0x75, 0xab, 0xd8, 0x41, 0x41, 0x4d, 0x0a, 0x70, 0x00,
    0x98, 0xe8, 0x79, 0x77, 0x79, 0x40, 0xc7, 0x8c, 0x73, 0xfe, 0x6f, 0x2b, 0xee, 0x6c, 0x03, 0x52,
];

/// sqrt(-1) = 2^((p-1)/4), little-endian.
const SQRT_M1: [u8; 32] = [
    0xb0, 0xa0, 0x0e, 0x4a, 0x27, 0x1b, 0xee, 0xc4, 0x78, 0xe4, 0x2f, 0xad, 0x06, 0x18, 0x43, 0x2f,
    0xa7, 0xd7, 0xfb, 0x3d, 0x99, 0x00, 0x4d, 0x2b, 0x0b, 0xdf, 0xc1, 0x4f, 0x80, 0x24, 0x83, 0x2b,
];

/// The base point B's encoding: y = 4/5, x even (RFC 8032 §5.1).
const B_BYTES: [u8; 32] = {
    let mut b = [0x66u8; 32];
    b[0] = 0x58;
    b
};

/// The group order L = 2^252 + 27742317777372353535851937790883648493.
static FL: Field = Field::new([
    0x5812_631a_5cf5_d3ed,
    0x14de_f9de_a2f7_9cd6,
    0x0000_0000_0000_0000,
    0x1000_0000_0000_0000,
]);

/// (X : Y : Z : T) with x = X/Z, y = Y/Z, xy = T/Z.
#[derive(Clone, Copy, Debug)]
struct Point {
    x: Fe,
    y: Fe,
    z: Fe,
    t: Fe,
}

impl Point {
    fn identity() -> Point {
        Point {
            x: Fe::ZERO,
            y: Fe::ONE,
            z: Fe::ONE,
            t: Fe::ZERO,
        }
    }

    fn base() -> Point {
        Point::decode(&B_BYTES).expect("B decodes")
    }

    /// Complete addition, "add-2008-hwcd-3" (a = -1): 9 multiplications, one of
    /// them preparing `o` ([`Point::add_cached`] has the formula).
    fn add(&self, o: &Point) -> Point {
        self.add_cached(&o.to_cached(), false)
    }

    /// Doubling, "dbl-2008-hwcd" (a = -1).
    fn double(&self) -> Point {
        self.double_with_t(true)
    }

    /// Doubling that leaves T stale ("dbl-2008-hwcd" less its last
    /// multiplication): for a doubling whose result is only doubled again, which
    /// reads X, Y and Z alone.
    fn double_no_t(&self) -> Point {
        self.double_with_t(false)
    }

    #[inline(always)]
    fn double_with_t(&self, with_t: bool) -> Point {
        let a = self.x.square();
        let b = self.y.square();
        let c = self.z.square().add(&self.z.square());
        let h = a.add(&b);
        let e = h.sub(&self.x.add(&self.y).square());
        let g = a.sub(&b);
        let f = c.add(&g);
        Point {
            x: e.mul(&f),
            y: g.mul(&h),
            z: f.mul(&g),
            // `with_t` is a constant at every call site, never data.
            t: if with_t { e.mul(&h) } else { self.t },
        }
    }

    fn neg(&self) -> Point {
        Point {
            x: self.x.neg(),
            y: self.y,
            z: self.z,
            t: self.t.neg(),
        }
    }

    /// `k * self` for a secret 256-bit little-endian scalar: 4-bit fixed windows,
    /// the addend read by a masked scan of all 16 table entries.
    #[cfg(any(test, not(feature = "std")))]
    fn mul(&self, k: &[u8; 32]) -> Point {
        let mut table = [Point::identity(); 16];
        for i in 1..16 {
            table[i] = table[i - 1].add(self);
        }
        let mut acc = Point::identity();
        for w in (0..64).rev() {
            acc = acc.double().double().double().double();
            let idx = u64::from((k[w / 2] >> (4 * (w % 2))) & 15);
            acc = acc.add(&select(&table, idx));
        }
        acc
    }

    /// `k * B` with a fixed-base comb, `sum_i T[i][k_i]` with `T[i][j] = j 16^i B`:
    /// 64 additions, each addend read by a masked scan of its 16-entry row. The
    /// table (160 KiB) is built once per process with `std`; without it this is
    /// [`Point::mul`] on B.
    fn mul_base(k: &[u8; 32]) -> Point {
        #[cfg(feature = "std")]
        {
            static TABLE: std::sync::OnceLock<alloc::vec::Vec<Point>> = std::sync::OnceLock::new();
            let table = TABLE.get_or_init(|| {
                let mut t = alloc::vec::Vec::with_capacity(64 * 16);
                let mut base = Point::base();
                for _ in 0..64 {
                    let mut p = Point::identity();
                    for _ in 0..16 {
                        t.push(p);
                        p = p.add(&base);
                    }
                    base = p;
                }
                t
            });
            let mut acc = Point::identity();
            for w in 0..64 {
                let idx = u64::from((k[w / 2] >> (4 * (w % 2))) & 15);
                acc = acc.add(&select(&table[16 * w..16 * w + 16], idx));
            }
            acc
        }
        #[cfg(not(feature = "std"))]
        {
            Point::base().mul(k)
        }
    }

    /// RFC 8032 §5.1.2: y with the sign of x in the top bit.
    fn encode(&self) -> [u8; 32] {
        let zi = self.z.invert();
        let x = self.x.mul(&zi);
        let mut out = self.y.mul(&zi).to_bytes();
        out[31] |= (x.is_negative() as u8) << 7;
        out
    }

    /// RFC 8032 §5.1.3 decoding; public input, so it may branch. Rejects y >= p and
    /// x = 0 with the sign bit set.
    fn decode(b: &[u8; 32]) -> Result<Point, Error> {
        let sign = u64::from(b[31] >> 7);
        let mut yb = *b;
        yb[31] &= 0x7f;
        let y = Fe::from_bytes(&yb);
        if y.to_bytes() != yb {
            return Err(Error::InvalidPublicKey); // y >= p
        }
        let d = Fe::from_bytes(&D);
        let yy = y.square();
        let u = yy.sub(&Fe::ONE);
        let v = d.mul(&yy).add(&Fe::ONE);
        let v3 = v.square().mul(&v);
        let v7 = v3.square().mul(&v);
        let mut x = u.mul(&v3).mul(&u.mul(&v7).pow_p58());
        let vxx = v.mul(&x.square());
        if vxx.ct_eq(&u) == 0 {
            if vxx.ct_eq(&u.neg()) == 1 {
                x = x.mul(&Fe::from_bytes(&SQRT_M1));
            } else {
                return Err(Error::InvalidPublicKey);
            }
        }
        if x.is_zero() == 1 && sign == 1 {
            return Err(Error::InvalidPublicKey);
        }
        if x.is_negative() != sign {
            x = x.neg();
        }
        Ok(Point {
            x,
            y,
            z: Fe::ONE,
            t: x.mul(&y),
        })
    }
}

/// A point prepared for addition: (Y + X, Y - X, 2Z, 2dT), so that adding it to an
/// extended point costs 8 multiplications ("add-2008-hwcd-3" with the addend's
/// products precomputed, as in ref10's `ge_cached`).
#[derive(Clone, Copy, Debug)]
struct Cached {
    y_plus_x: Fe,
    y_minus_x: Fe,
    z2: Fe,
    t2d: Fe,
}

impl Point {
    fn to_cached(self) -> Cached {
        let d2 = Fe::from_bytes(&D).add(&Fe::from_bytes(&D));
        Cached {
            y_plus_x: self.y.add(&self.x),
            y_minus_x: self.y.sub(&self.x),
            z2: self.z.add(&self.z),
            t2d: self.t.mul(&d2),
        }
    }

    /// `self + q` (or `self - q` when `negate`): the same complete formula as
    /// [`Point::add`], with the addend's half precomputed. Negating a cached point
    /// swaps Y + X with Y - X and negates 2dT. `negate` is branched on: callers pass
    /// a constant or a public digit's sign, never secret data.
    fn add_cached(&self, q: &Cached, negate: bool) -> Point {
        let (qp, qm, qt) = if negate {
            (&q.y_minus_x, &q.y_plus_x, q.t2d.neg())
        } else {
            (&q.y_plus_x, &q.y_minus_x, q.t2d)
        };
        let a = self.y.sub(&self.x).mul(qm);
        let b = self.y.add(&self.x).mul(qp);
        let c = self.t.mul(&qt);
        let d = self.z.mul(&q.z2);
        let e = b.sub(&a);
        let f = d.sub(&c);
        let g = d.add(&c);
        let h = b.add(&a);
        Point {
            x: e.mul(&f),
            y: g.mul(&h),
            z: f.mul(&g),
            t: e.mul(&h),
        }
    }

    /// `[a]A + [b]B` for *public* scalars below 2^255 (verification only: the
    /// running time depends on the scalars). Straus's interleaving over width-5
    /// (A) and width-8 (B, a table built once per process with `std`) non-adjacent
    /// forms: about 253 doublings and 80 additions, in place of two constant-time
    /// scalar multiplications.
    fn vartime_double_mul_base(a: &[u8; 32], pa: &Point, b: &[u8; 32]) -> Point {
        let a_naf = wnaf(a, 5);
        let a_table = odd_multiples::<8>(pa);
        #[cfg(feature = "std")]
        let (b_naf, b_table) = {
            static TABLE: std::sync::OnceLock<[Cached; 64]> = std::sync::OnceLock::new();
            (
                wnaf(b, 8),
                &TABLE.get_or_init(|| odd_multiples::<64>(&Point::base()))[..],
            )
        };
        #[cfg(not(feature = "std"))]
        let (b_naf, b_table_owned) = (wnaf(b, 5), odd_multiples::<8>(&Point::base()));
        #[cfg(not(feature = "std"))]
        let b_table = &b_table_owned[..];
        let top = (0..256)
            .rev()
            .find(|&i| a_naf[i] != 0 || b_naf[i] != 0)
            .unwrap_or(0);
        let mut acc = Point::identity();
        for i in (0..=top).rev() {
            // T is needed only when this position adds something.
            acc = if a_naf[i] != 0 || b_naf[i] != 0 {
                acc.double()
            } else {
                acc.double_no_t()
            };
            for (digit, table) in [(a_naf[i], &a_table[..]), (b_naf[i], b_table)] {
                if digit != 0 {
                    let idx = usize::from(digit.unsigned_abs() / 2);
                    acc = acc.add_cached(&table[idx], digit < 0);
                }
            }
        }
        acc
    }
}

/// `[P, 3P, 5P, ..., (2N - 1)P]`, cached for addition.
fn odd_multiples<const N: usize>(p: &Point) -> [Cached; N] {
    let p2 = p.double().to_cached();
    let mut cur = *p;
    let mut out = [cur.to_cached(); N];
    for slot in out.iter_mut().skip(1) {
        cur = cur.add_cached(&p2, false);
        *slot = cur.to_cached();
    }
    out
}

/// The width-`w` non-adjacent form of a little-endian scalar below 2^255: odd
/// digits in (-2^(w-1), 2^(w-1)), any two nonzero digits at least `w` positions
/// apart (Solinas 2000; the loop shape is curve25519-dalek's). Variable time.
fn wnaf(k: &[u8; 32], w: usize) -> [i8; 256] {
    let mut x = [0u64; 5];
    for (i, limb) in x.iter_mut().take(4).enumerate() {
        *limb = u64::from_le_bytes(k[8 * i..8 * i + 8].try_into().expect("8 bytes"));
    }
    let width = 1u64 << w;
    let mask = width - 1;
    let mut naf = [0i8; 256];
    let mut pos = 0;
    let mut carry = 0u64;
    while pos < 256 {
        let (idx, bit) = (pos / 64, pos % 64);
        let buf = if bit < 64 - w {
            x[idx] >> bit
        } else {
            (x[idx] >> bit) | (x[idx + 1] << (64 - bit))
        };
        let window = carry + (buf & mask);
        if window & 1 == 0 {
            pos += 1;
            continue;
        }
        if window < width / 2 {
            carry = 0;
            naf[pos] = window as i8;
        } else {
            carry = 1;
            naf[pos] = (window as i64 - width as i64) as i8;
        }
        pos += w;
    }
    naf
}

/// The Montgomery u-coordinate of `k * B` (RFC 7748 §4.1: B is the
/// Edwards image of u = 9, and u = (1 + y) / (1 - y) = (Z + Y) / (Z - Y)),
/// through the fixed-base comb: X25519's public key without the ladder.
/// `k` is a clamped X25519 scalar, so `k * B` is never the identity and
/// Z - Y is never zero.
pub(super) fn montgomery_u_of_base_mul(k: &[u8; 32]) -> [u8; 32] {
    let p = Point::mul_base(k);
    p.z.add(&p.y).mul(&p.z.sub(&p.y).invert()).to_bytes()
}

/// `table[idx]`, read by scanning every entry with masks (no secret index).
fn select(table: &[Point], idx: u64) -> Point {
    let mut sel = Point::identity();
    for (i, p) in table.iter().enumerate() {
        let d = (i as u64) ^ idx;
        let hit = ((d | d.wrapping_neg()) >> 63) ^ 1;
        sel.x = Fe::select(&sel.x, &p.x, hit);
        sel.y = Fe::select(&sel.y, &p.y, hit);
        sel.z = Fe::select(&sel.z, &p.z, hit);
        sel.t = Fe::select(&sel.t, &p.t, hit);
    }
    sel
}

/// A little-endian 64-byte digest reduced modulo L, as 32 little-endian bytes.
/// Ed25519 signing's secret intermediates (the nonce r, its hash and encoding, the
/// scalar a, k a, and S before encoding), kept where the signer can wipe them.
#[derive(Zeroize)]
struct SignTemps {
    rh: [u8; 64],
    r: Limbs,
    r_bytes: [u8; 32],
    a: Limbs,
    a_mont: Limbs,
    a_red: Limbs,
    ka: Limbs,
    s: Limbs,
}

impl Default for SignTemps {
    fn default() -> Self {
        SignTemps {
            rh: [0; 64],
            r: [0; 4],
            r_bytes: [0; 32],
            a: [0; 4],
            a_mont: [0; 4],
            a_red: [0; 4],
            ka: [0; 4],
            s: [0; 4],
        }
    }
}

fn reduce_wide(h: &[u8; 64]) -> Limbs {
    let le = |s: &[u8]| -> Limbs {
        core::array::from_fn(|i| u64::from_le_bytes(s[8 * i..8 * i + 8].try_into().expect("8")))
    };
    let (lo, hi) = (le(&h[..32]), le(&h[32..]));
    // hi * 2^256 mod L is the Montgomery form of hi; lo mod L is lo's form taken out.
    let hi_part = FL.to_mont(&hi);
    let lo_part = FL.leave_mont(&FL.to_mont(&lo));
    FL.add(&hi_part, &lo_part)
}

fn limbs_to_le(l: &Limbs) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, w) in l.iter().enumerate() {
        out[8 * i..8 * i + 8].copy_from_slice(&w.to_le_bytes());
    }
    out
}

fn sha512(parts: &[&[u8]]) -> [u8; 64] {
    let mut h = Sha512::new();
    for p in parts {
        h.update(p);
    }
    h.finalize()
}

/// An Ed25519 private key (the 32-byte seed of RFC 8032 §5.1.5 and what it expands
/// to), zeroized on drop.
///
/// ```
/// use handshake_crypto::Ed25519SigningKey;
/// let key = Ed25519SigningKey::from_seed(&[9u8; 32]);
/// let sig = key.sign(b"message");
/// key.verifying_key().verify(b"message", &sig).unwrap();
/// assert!(key.verifying_key().verify(b"massage", &sig).is_err());
/// ```
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Ed25519SigningKey {
    seed: [u8; 32],
    scalar: [u8; 32],
    prefix: [u8; 32],
    public: [u8; 32],
}

impl core::fmt::Debug for Ed25519SigningKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Ed25519SigningKey")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

/// An Ed25519 public key (32 bytes, RFC 8032 §5.1.5).
///
/// ```
/// use handshake_crypto::{Ed25519SigningKey, Ed25519VerifyingKey};
/// let sig = Ed25519SigningKey::from_seed(&[1; 32]).sign(b"m");
/// let public = Ed25519SigningKey::from_seed(&[1; 32]).verifying_key().to_bytes();
/// Ed25519VerifyingKey::from_bytes(&public).unwrap().verify(b"m", &sig).unwrap();
/// ```
#[derive(Clone, Copy)]
pub struct Ed25519VerifyingKey {
    bytes: [u8; 32],
    /// The decoded point, kept so that each verification skips the square root.
    point: Point,
}

impl PartialEq for Ed25519VerifyingKey {
    fn eq(&self, other: &Self) -> bool {
        // Decoding is a function of the bytes, and only canonical bytes decode.
        self.bytes == other.bytes
    }
}

impl Eq for Ed25519VerifyingKey {}

impl core::fmt::Debug for Ed25519VerifyingKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("Ed25519VerifyingKey")
            .field(&self.bytes)
            .finish()
    }
}

impl Ed25519SigningKey {
    /// Expands a 32-byte seed (RFC 8032 §5.1.5).
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        let mut h = sha512(&[seed]);
        let mut scalar: [u8; 32] = h[..32].try_into().expect("32 bytes");
        scalar[0] &= 248;
        scalar[31] &= 127;
        scalar[31] |= 64;
        let prefix = h[32..].try_into().expect("32 bytes");
        h.zeroize();
        let public = Point::mul_base(&scalar).encode();
        Ed25519SigningKey {
            seed: *seed,
            scalar,
            prefix,
            public,
        }
    }

    /// Draws a seed from a cryptographic RNG.
    pub fn generate<R: rand_core::RngCore + rand_core::CryptoRng>(rng: &mut R) -> Self {
        let mut seed = [0u8; 32];
        rng.fill_bytes(&mut seed);
        let k = Ed25519SigningKey::from_seed(&seed);
        seed.zeroize();
        k
    }

    /// The seed (what PKCS#8 stores, RFC 8410 §7).
    pub fn seed(&self) -> [u8; 32] {
        self.seed
    }

    /// The public key.
    pub fn verifying_key(&self) -> Ed25519VerifyingKey {
        Ed25519VerifyingKey::from_bytes(&self.public).expect("our own public key decodes")
    }

    /// Signs `msg` (RFC 8032 §5.1.6): deterministic, 64 bytes `R || S`.
    pub fn sign(&self, msg: &[u8]) -> [u8; 64] {
        self.sign_with(msg, &mut SignTemps::default())
    }

    /// [`Ed25519SigningKey::sign`] with its secret temporaries in `t`, which holds
    /// zeros again when this returns.
    fn sign_with(&self, msg: &[u8], t: &mut SignTemps) -> [u8; 64] {
        t.rh = sha512(&[&self.prefix, msg]);
        t.r = reduce_wide(&t.rh);
        t.r_bytes = limbs_to_le(&t.r);
        let big_r = Point::mul_base(&t.r_bytes).encode();
        let k = reduce_wide(&sha512(&[&big_r, &self.public, msg]));
        // S = r + k * a mod L; a is below 2^255, so reduce it first.
        for (i, w) in t.a.iter_mut().enumerate() {
            *w = u64::from_le_bytes(self.scalar[8 * i..8 * i + 8].try_into().expect("8"));
        }
        t.a_mont = FL.to_mont(&t.a);
        t.a_red = FL.leave_mont(&t.a_mont);
        t.ka = FL.mul(&FL.to_mont(&k), &t.a_red);
        t.s = FL.add(&t.ka, &t.r);
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(&big_r);
        out[32..].copy_from_slice(&limbs_to_le(&t.s));
        t.zeroize();
        out
    }
}

impl Ed25519VerifyingKey {
    /// A public key from its encoding; it must decode to a curve point (§5.1.3).
    pub fn from_bytes(b: &[u8; 32]) -> Result<Self, Error> {
        Ok(Ed25519VerifyingKey {
            bytes: *b,
            point: Point::decode(b)?,
        })
    }

    /// The 32-byte encoding.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.bytes
    }

    /// Verifies `R || S` over `msg` (RFC 8032 §5.1.7): S must be below L, R and A
    /// must decode, and `[S]B - [k]A` must encode to exactly R's bytes. Public data
    /// only, so this runs in variable time.
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<(), Error> {
        let sig: &[u8; 64] = sig.try_into().map_err(|_| Error::BadSignature)?;
        let mut s_be: [u8; 32] = sig[32..].try_into().expect("32 bytes");
        s_be.reverse();
        // RFC 8032 §5.1.7 step 1: S must be in [0, L).
        if FL.parse_be_bytes(&s_be).is_none() {
            return Err(Error::BadSignature);
        }
        let r_bytes: [u8; 32] = sig[..32].try_into().expect("32 bytes");
        let k = limbs_to_le(&reduce_wide(&sha512(&[&r_bytes, &self.bytes, msg])));
        let s: [u8; 32] = sig[32..].try_into().expect("32 bytes");
        let check = Point::vartime_double_mul_base(&k, &self.point.neg(), &s).encode();
        // Step 1's "R must decode" needs no square root here: `encode` only ever
        // produces canonical encodings of points, so bytes that do not decode (y >= p,
        // no x, or x = 0 with the sign bit set) can never equal it.
        if check == r_bytes {
            Ok(())
        } else {
            Err(Error::BadSignature)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Signing leaves r, k a and S nowhere: the temporaries are zero afterwards,
    /// and were really used (another key through them signs differently).
    #[test]
    fn sign_wipes_its_temporaries() {
        let key = Ed25519SigningKey::from_seed(&[3u8; 32]);
        let mut t = SignTemps {
            rh: [1; 64],
            r: [2; 4],
            r_bytes: [3; 32],
            a: [4; 4],
            a_mont: [5; 4],
            a_red: [6; 4],
            ka: [7; 4],
            s: [8; 4],
        };
        let sig = key.sign_with(b"wipe", &mut t);
        assert_eq!(sig, key.sign(b"wipe"));
        assert!(t.rh.iter().chain(&t.r_bytes).all(|&b| b == 0));
        let limbs = [t.r, t.a, t.a_mont, t.a_red, t.ka, t.s];
        assert!(limbs.iter().all(|l| *l == [0; 4]), "{limbs:x?}");
        let other = Ed25519SigningKey::from_seed(&[4u8; 32]);
        assert_ne!(other.sign_with(b"wipe", &mut t), sig);
    }

    #[test]
    fn constants() {
        let d = Fe::from_bytes(&D);
        assert_eq!(
            d.mul_small(121_666).to_bytes(),
            Fe::ONE.mul_small(121_665).neg().to_bytes()
        );
        let i = Fe::from_bytes(&SQRT_M1);
        assert_eq!(i.square().to_bytes(), Fe::ONE.neg().to_bytes());
        assert_eq!(Point::base().encode(), B_BYTES);
        let b = Point::base();
        assert_eq!(b.double().encode(), b.add(&b).encode());
        // L * B is the identity.
        let l = limbs_to_le(&FL.m);
        assert_eq!(b.mul(&l).encode(), Point::identity().encode());
        for k in [[0u8; 32], [1; 32], [0xff; 32], l] {
            assert_eq!(Point::mul_base(&k).encode(), b.mul(&k).encode());
        }
    }

    /// RFC 8032 §7.1 TEST 1 (empty message).
    #[test]
    fn rfc8032_test1() {
        let h = |s: &str| -> Vec<u8> {
            (0..s.len() / 2)
                .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
                .collect()
        };
        let seed: [u8; 32] = h("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
            .try_into()
            .unwrap();
        let key = Ed25519SigningKey::from_seed(&seed);
        assert_eq!(
            key.verifying_key().to_bytes().to_vec(),
            h("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        );
        let sig = key.sign(b"");
        assert_eq!(sig.to_vec(), h("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"));
        key.verifying_key().verify(b"", &sig).unwrap();
    }

    /// The variable-time Straus path agrees with the constant-time scalar
    /// multiplications, and w-NAF digits rebuild their scalar.
    #[test]
    fn vartime_double_mul_matches_constant_time() {
        let mut x = 0x0123_4567_89ab_cdefu64;
        let mut next = || {
            let mut k = [0u8; 32];
            for b in k.iter_mut() {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                *b = (x >> 56) as u8;
            }
            k[31] &= 0x7f;
            k
        };
        let l = limbs_to_le(&FL.m);
        let mut l1 = l;
        l1[0] -= 1;
        let mut cases = alloc::vec![([0u8; 32], [0u8; 32]), (l1, l1), ([0xff; 32], [1; 32])];
        cases[2].0[31] = 0x7f;
        for _ in 0..20 {
            cases.push((next(), next()));
        }
        let p = Point::base().mul(&[7; 32]);
        for (a, b) in cases {
            let want = p.mul(&a).add(&Point::mul_base(&b)).encode();
            assert_eq!(Point::vartime_double_mul_base(&a, &p, &b).encode(), want);
            assert_eq!(
                Point::vartime_double_mul_base(&a, &p.neg(), &b).encode(),
                p.neg().mul(&a).add(&Point::mul_base(&b)).encode()
            );
            for w in [5, 8] {
                let naf = wnaf(&a, w);
                // Sum of digit_i * 2^i, limb by limb with signed carries.
                let mut acc = [0i128; 5];
                for (i, &d) in naf.iter().enumerate() {
                    acc[i / 64] += i128::from(d) << (i % 64);
                }
                let mut carry = 0i128;
                for (j, limb) in acc.iter().enumerate() {
                    let v = limb + carry;
                    let want = if j < 4 {
                        u64::from_le_bytes(a[8 * j..8 * j + 8].try_into().unwrap())
                    } else {
                        0
                    };
                    assert_eq!(v as u64, want, "w-NAF limb {j}");
                    carry = v >> 64;
                }
                assert_eq!(carry, 0);
                let mut last = None;
                for (i, &d) in naf.iter().enumerate() {
                    if d != 0 {
                        assert!(d % 2 != 0 && i32::from(d).abs() < 1 << (w - 1));
                        if let Some(j) = last {
                            assert!(i - j >= w, "digits {j} and {i} too close");
                        }
                        last = Some(i);
                    }
                }
            }
        }
    }
}
