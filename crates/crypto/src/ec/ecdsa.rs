//! The scalar side of ECDSA (FIPS 186-5 §6.4), for any curve whose scalar field
//! is a [`MontField`]: the signing equation with its secret temporaries kept
//! where the signer wipes them, the range checks on (r, s), and the scalars
//! u1, u2 of the verification equation.

use zeroize::Zeroize;

use super::mont::MontField;
use crate::Error;

/// ECDSA signing's secret intermediates (k in Montgomery form, k^-1, r d, e + r d),
/// kept where the signer can wipe them: each reveals the key given the signature.
pub(crate) struct SignTemps<const N: usize> {
    pub(crate) k_mont: [u64; N],
    pub(crate) kinv: [u64; N],
    pub(crate) rd: [u64; N],
    pub(crate) sum: [u64; N],
    pub(crate) sum_mont: [u64; N],
}

impl<const N: usize> SignTemps<N> {
    pub(crate) fn new() -> Self {
        SignTemps {
            k_mont: [0; N],
            kinv: [0; N],
            rd: [0; N],
            sum: [0; N],
            sum_mont: [0; N],
        }
    }

    /// Whether every slot holds zeros (the tests' check that signing wiped them).
    #[cfg(test)]
    pub(crate) fn is_wiped(&self) -> bool {
        [self.k_mont, self.kinv, self.rd, self.sum, self.sum_mont]
            .iter()
            .all(|l| *l == [0; N])
    }
}

impl<const N: usize> Zeroize for SignTemps<N> {
    fn zeroize(&mut self) {
        self.k_mont.zeroize();
        self.kinv.zeroize();
        self.rd.zeroize();
        self.sum.zeroize();
        self.sum_mont.zeroize();
    }
}

/// FIPS 186-5 §6.4.1 steps 8-9: `s = k^-1 (e + r d) mod n` for the nonce `k`
/// (in [1, n-1]), `r` = x(kG) mod n, the key `d` and `e` (all normal domain, `e`
/// any value below 2^(64 N)). Constant time; the secrets go to `t`.
pub(crate) fn sign_s<const N: usize>(
    fnn: &MontField<N>,
    k: &[u64; N],
    r: &[u64; N],
    d: &[u64; N],
    e: &[u64; N],
    t: &mut SignTemps<N>,
) -> [u64; N] {
    t.k_mont = fnn.to_mont(k);
    t.kinv = fnn.invert(&t.k_mont);
    t.rd = fnn.mul(&fnn.to_mont(r), d); // r R * d / R = r d
    t.sum = fnn.add(&fnn.reduce(e), &t.rd);
    t.sum_mont = fnn.to_mont(&t.sum);
    fnn.leave_mont(&fnn.mul(&t.kinv, &t.sum_mont))
}

/// FIPS 186-5 §6.4.2 step 2: `r || s` of `2 * 8N` bytes, each in [1, n-1],
/// else [`Error::BadSignature`].
pub(crate) fn parse_rs<const N: usize>(
    fnn: &MontField<N>,
    sig: &[u8],
) -> Result<([u64; N], [u64; N]), Error> {
    let len = MontField::<N>::LEN;
    if sig.len() != 2 * len {
        return Err(Error::BadSignature);
    }
    let in_range = |b: &[u8]| fnn.parse_be(b).filter(|v| fnn.is_zero(v) == 0);
    let r = in_range(&sig[..len]).ok_or(Error::BadSignature)?;
    let s = in_range(&sig[len..]).ok_or(Error::BadSignature)?;
    Ok((r, s))
}

/// FIPS 186-5 §6.4.2 steps 5-6: `w = s^-1`, `u1 = e w`, `u2 = r w` (mod n),
/// normal domain. Public data.
pub(crate) fn verify_scalars<const N: usize>(
    fnn: &MontField<N>,
    e: &[u64; N],
    r: &[u64; N],
    s: &[u64; N],
) -> ([u64; N], [u64; N]) {
    let w = fnn.invert(&fnn.to_mont(s));
    let u1 = fnn.leave_mont(&fnn.mul(&fnn.to_mont(&fnn.reduce(e)), &w));
    let u2 = fnn.leave_mont(&fnn.mul(&fnn.to_mont(r), &w));
    (u1, u2)
}

/// RFC 6979 §2.3.2 bits2int for qlen = 64 N bits (a multiple of 8 for the NIST
/// curves): the leftmost qlen bits of the digest, as limbs.
pub(crate) fn bits2int<const N: usize>(digest: &[u8]) -> [u64; N] {
    let mut buf = [0u8; 64];
    let b = &mut buf[..MontField::<N>::LEN];
    super::bits2int(digest, b);
    let mut l = [0u64; N];
    crate::bigint::from_be_bytes(&mut l, b);
    l
}

/// FIPS 186-5 §6.4.1 with RFC 6979 §3.2 nonces: `(r, s)` for the key `d`
/// (normal domain, in [1, n-1]) over a digest computed with `H`. `base_x(k)` is
/// the affine x of kG (normal domain; zero for the identity), computed in
/// constant time by the curve. Candidates giving r = 0 or s = 0 are skipped
/// (step h.3's loop). The secret intermediates go to `t`, which holds zeros
/// again when this returns; the nonce and the key's bytes are wiped.
pub(crate) fn sign_rfc6979<H: crate::HashFunction, const N: usize>(
    fnn: &MontField<N>,
    d: &[u64; N],
    digest: &[u8],
    t: &mut SignTemps<N>,
    base_x: impl Fn(&[u64; N]) -> [u64; N],
) -> ([u64; N], [u64; N]) {
    let len = MontField::<N>::LEN;
    let e = bits2int::<N>(digest);
    // int2octets(x) and bits2octets(h1) = int2octets(bits2int(h1) mod q).
    let mut x = zeroize::Zeroizing::new([0u8; 64]);
    MontField::write_be(d, &mut x[..len]);
    let mut h = [0u8; 64];
    MontField::write_be(&fnn.reduce(&e), &mut h[..len]);
    let mut drbg = super::Rfc6979::<H>::new(&x[..len], &h[..len]);
    loop {
        let mut k = drbg.next_k(len, |c| fnn.parse_be(c).filter(|k| fnn.is_zero(k) == 0));
        let r = fnn.reduce(&base_x(&k));
        let s = sign_s(fnn, &k, &r, d, &e, t);
        k.zeroize();
        t.zeroize();
        if fnn.is_zero(&r) == 0 && fnn.is_zero(&s) == 0 {
            return (r, s);
        }
    }
}

/// FIPS 186-5 §6.4.2 for a fixed-width `r || s` over a digest: r and s in
/// [1, n-1] (step 2), u1 and u2 (steps 5-6), then `check(u1, u2, r)` says
/// whether x(u1 G + u2 Q) mod n is r (steps 7-9, the curve's variable-time
/// double multiplication; it may fail on an invalid Q). Public data only.
pub(crate) fn verify_digest<const N: usize>(
    fnn: &MontField<N>,
    digest: &[u8],
    sig: &[u8],
    check: impl FnOnce(&[u64; N], &[u64; N], &[u64; N]) -> Result<bool, Error>,
) -> Result<(), Error> {
    let (r, s) = parse_rs(fnn, sig)?;
    let (u1, u2) = verify_scalars(fnn, &bits2int::<N>(digest), &r, &s);
    if check(&u1, &u2, &r)? {
        Ok(())
    } else {
        Err(Error::BadSignature)
    }
}
