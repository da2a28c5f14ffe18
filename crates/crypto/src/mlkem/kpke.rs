//! K-PKE (FIPS 203 §5) and the internal ML-KEM algorithms (§6), for any
//! parameter set: `k` polynomials per vector, the rest of [`Params`] at run
//! time. Vectors are arrays of four polynomials of which the first `k` are used,
//! and the matrix Â is sampled one row at a time, as it is used.
//!
//! Secrets (ŝ, ê, the encryption randomness r, ŷ, e₁, e₂, m, K, the PRF and G
//! outputs) live in buffers that are wiped before return.

use super::ntt::{basemul_acc, inv_ntt_tomont, ntt};
use super::poly::{self, Poly, ZERO};
use crate::ct::{ct_eq_mask, ct_select_bytes, wipe};
use crate::sha3::{Sha3_256, Sha3_512, Shake128, Shake256};

/// A parameter set (FIPS 203 §8, Table 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Params {
    pub(crate) k: usize,
    pub(crate) eta1: usize,
    pub(crate) eta2: usize,
    pub(crate) du: u32,
    pub(crate) dv: u32,
}

impl Params {
    /// 384 k + 32 (FIPS 203 §8, Table 3).
    pub(crate) const fn ek_len(&self) -> usize {
        384 * self.k + 32
    }

    /// 768 k + 96.
    pub(crate) const fn dk_len(&self) -> usize {
        768 * self.k + 96
    }

    /// 32 (d_u k + d_v).
    pub(crate) const fn ct_len(&self) -> usize {
        32 * (self.du as usize * self.k + self.dv as usize)
    }
}

/// The largest ciphertext (ML-KEM-1024): the re-encryption buffer.
const MAX_CT: usize = 1568;

type PolyVec = [Poly; 4];

fn wipe_vec(v: &mut [Poly]) {
    for p in v {
        wipe(p);
    }
}

/// PRF_η(s, b) = SHAKE256(s ‖ b, 64 η) (FIPS 203 §4.1, eq. 4.3), then
/// SamplePolyCBD_η: one noise polynomial.
fn noise(seed: &[u8; 32], nonce: u8, eta: usize, p: &mut Poly) {
    let mut buf = [0u8; 64 * 3];
    let mut x = Shake256::new();
    x.update(seed);
    x.update(&[nonce]);
    x.finalize_xof().read(&mut buf[..64 * eta]);
    poly::cbd(&buf[..64 * eta], eta, p);
    wipe(&mut buf);
}

/// Â[row, col] of the matrix Â (FIPS 203 Algorithm 13 lines 3-7): SampleNTT of
/// XOF(ρ ‖ col ‖ row). Â is public.
fn matrix_entry(rho: &[u8], row: usize, col: usize, p: &mut Poly) {
    let mut x = Shake128::new();
    x.update(rho);
    x.update(&[col as u8, row as u8]);
    poly::sample_ntt(&mut x.finalize_xof(), p);
}

/// Row `i` of Â (`transposed`: of Âᵀ) into `row[..k]`.
fn matrix_row(rho: &[u8], i: usize, k: usize, transposed: bool, row: &mut PolyVec) {
    for (j, p) in row[..k].iter_mut().enumerate() {
        if transposed {
            matrix_entry(rho, j, i, p);
        } else {
            matrix_entry(rho, i, j, p);
        }
    }
}

/// G(c) = SHA3-512(c) split into two 32-byte halves (FIPS 203 §4.1, eq. 4.5).
fn g(parts: &[&[u8]]) -> ([u8; 32], [u8; 32]) {
    let mut h = Sha3_512::new();
    for p in parts {
        h.update(p);
    }
    let mut out = h.finalize();
    let mut a = [0u8; 32];
    let mut b = [0u8; 32];
    a.copy_from_slice(&out[..32]);
    b.copy_from_slice(&out[32..]);
    wipe(&mut out);
    (a, b)
}

/// K-PKE.KeyGen (FIPS 203 Algorithm 13): ek = ByteEncode₁₂(t̂) ‖ ρ into `ek`,
/// dk_PKE = ByteEncode₁₂(ŝ) into `dk_pke`.
pub(crate) fn kpke_keygen(p: &Params, d: &[u8; 32], ek: &mut [u8], dk_pke: &mut [u8]) {
    let k = p.k;
    // (ρ, σ) = G(d ‖ k): the parameter set's k separates the key spaces.
    let (rho, mut sigma) = g(&[d, &[k as u8]]);
    let mut s: PolyVec = [ZERO; 4];
    let mut e: PolyVec = [ZERO; 4];
    let mut nonce = 0u8;
    for si in &mut s[..k] {
        noise(&sigma, nonce, p.eta1, si);
        nonce += 1;
    }
    for ei in &mut e[..k] {
        noise(&sigma, nonce, p.eta1, ei);
        nonce += 1;
    }
    for i in 0..k {
        ntt(&mut s[i]);
        ntt(&mut e[i]);
    }
    // t̂ = Â ∘ ŝ + ê, row by row.
    let mut row: PolyVec = [ZERO; 4];
    let mut t = ZERO;
    for i in 0..k {
        matrix_row(&rho, i, k, false, &mut row);
        basemul_acc(&mut t, &row[..k], &s[..k]);
        poly::tomont(&mut t);
        poly::add(&mut t, &e[i]);
        poly::reduce(&mut t);
        poly::encode12(&t, &mut ek[384 * i..384 * (i + 1)]);
    }
    ek[384 * k..384 * k + 32].copy_from_slice(&rho);
    for i in 0..k {
        poly::encode12(&s[i], &mut dk_pke[384 * i..384 * (i + 1)]);
    }
    wipe_vec(&mut s);
    wipe_vec(&mut e);
    wipe(&mut sigma);
}

/// K-PKE.Encrypt (FIPS 203 Algorithm 14) of `m` with randomness `r` under `ek`
/// (already checked, §7.2), into `c`.
pub(crate) fn kpke_encrypt(p: &Params, ek: &[u8], m: &[u8; 32], r: &[u8; 32], c: &mut [u8]) {
    let k = p.k;
    let mut t: PolyVec = [ZERO; 4];
    for (i, ti) in t[..k].iter_mut().enumerate() {
        // The modulus check ran when the key was made; the mask is not needed.
        let _ = poly::decode12(&ek[384 * i..384 * (i + 1)], ti);
    }
    let rho = &ek[384 * k..384 * k + 32];
    let mut y: PolyVec = [ZERO; 4];
    let mut e1: PolyVec = [ZERO; 4];
    let mut e2 = ZERO;
    let mut nonce = 0u8;
    for yi in &mut y[..k] {
        noise(r, nonce, p.eta1, yi);
        nonce += 1;
    }
    for ei in &mut e1[..k] {
        noise(r, nonce, p.eta2, ei);
        nonce += 1;
    }
    noise(r, nonce, p.eta2, &mut e2);
    for yi in &mut y[..k] {
        ntt(yi);
    }
    // u = NTT⁻¹(Âᵀ ∘ ŷ) + e₁
    let mut row: PolyVec = [ZERO; 4];
    let mut u = ZERO;
    let du = p.du as usize;
    for i in 0..k {
        matrix_row(rho, i, k, true, &mut row);
        basemul_acc(&mut u, &row[..k], &y[..k]);
        inv_ntt_tomont(&mut u);
        poly::add(&mut u, &e1[i]);
        poly::reduce(&mut u);
        poly::compress_encode(&u, p.du, &mut c[32 * du * i..32 * du * (i + 1)]);
    }
    // v = NTT⁻¹(t̂ᵀ ∘ ŷ) + e₂ + Decompress₁(ByteDecode₁(m))
    let mut v = ZERO;
    let mut mu = ZERO;
    basemul_acc(&mut v, &t[..k], &y[..k]);
    inv_ntt_tomont(&mut v);
    poly::from_msg(m, &mut mu);
    poly::add(&mut v, &e2);
    poly::add(&mut v, &mu);
    poly::reduce(&mut v);
    poly::compress_encode(&v, p.dv, &mut c[32 * du * k..p.ct_len()]);
    wipe_vec(&mut y);
    wipe_vec(&mut e1);
    wipe(&mut e2);
    wipe(&mut u);
    wipe(&mut v);
    wipe(&mut mu);
}

/// K-PKE.Decrypt (FIPS 203 Algorithm 15): m = ByteEncode₁(Compress₁(v - NTT⁻¹(ŝᵀ ∘ NTT(u)))).
pub(crate) fn kpke_decrypt(p: &Params, dk_pke: &[u8], c: &[u8], m: &mut [u8; 32]) {
    let k = p.k;
    let du = p.du as usize;
    let mut u: PolyVec = [ZERO; 4];
    for (i, ui) in u[..k].iter_mut().enumerate() {
        poly::decode_decompress(&c[32 * du * i..32 * du * (i + 1)], p.du, ui);
        ntt(ui);
    }
    let mut v = ZERO;
    poly::decode_decompress(&c[32 * du * k..p.ct_len()], p.dv, &mut v);
    let mut s: PolyVec = [ZERO; 4];
    for (i, si) in s[..k].iter_mut().enumerate() {
        let _ = poly::decode12(&dk_pke[384 * i..384 * (i + 1)], si);
    }
    let mut w = ZERO;
    basemul_acc(&mut w, &s[..k], &u[..k]);
    inv_ntt_tomont(&mut w);
    poly::sub_from(&mut w, &v);
    poly::reduce(&mut w);
    poly::to_msg(&w, m);
    wipe_vec(&mut s);
    wipe_vec(&mut u);
    wipe(&mut v);
    wipe(&mut w);
}

/// H(s) = SHA3-256(s) (FIPS 203 §4.1, eq. 4.4).
pub(crate) fn h(s: &[u8]) -> [u8; 32] {
    Sha3_256::digest(s)
}

/// ML-KEM.KeyGen_internal (FIPS 203 Algorithm 16): ek and
/// dk = dk_PKE ‖ ek ‖ H(ek) ‖ z.
pub(crate) fn keygen_internal(
    p: &Params,
    d: &[u8; 32],
    z: &[u8; 32],
    ek: &mut [u8],
    dk: &mut [u8],
) {
    let k = p.k;
    kpke_keygen(p, d, ek, &mut dk[..384 * k]);
    dk[384 * k..768 * k + 32].copy_from_slice(ek);
    dk[768 * k + 32..768 * k + 64].copy_from_slice(&h(ek));
    dk[768 * k + 64..].copy_from_slice(z);
}

/// ML-KEM.Encaps_internal (FIPS 203 Algorithm 17): (K, r) = G(m ‖ H(ek)),
/// c = K-PKE.Encrypt(ek, m, r). Returns K; writes c.
pub(crate) fn encaps_internal(p: &Params, ek: &[u8], m: &[u8; 32], c: &mut [u8]) -> [u8; 32] {
    let (key, mut r) = g(&[m, &h(ek)]);
    kpke_encrypt(p, ek, m, &r, c);
    wipe(&mut r);
    key
}

/// ML-KEM.Decaps_internal (FIPS 203 Algorithm 18), with implicit rejection:
/// the re-encryption of the decrypted message is compared with `c` in
/// constant time, and K' or K̄ = J(z ‖ c) is selected with a mask, so which
/// one came out does not show in the timing.
pub(crate) fn decaps_internal(p: &Params, dk: &[u8], c: &[u8]) -> [u8; 32] {
    let k = p.k;
    let dk_pke = &dk[..384 * k];
    let ek_pke = &dk[384 * k..768 * k + 32];
    let hash = &dk[768 * k + 32..768 * k + 64];
    let z = &dk[768 * k + 64..768 * k + 96];
    let mut m = [0u8; 32];
    kpke_decrypt(p, dk_pke, c, &mut m);
    let (mut k_prime, mut r_prime) = g(&[&m, hash]);
    // K̄ = J(z ‖ c) = SHAKE256(z ‖ c, 32) (FIPS 203 §4.1, eq. 4.4).
    let mut k_bar = [0u8; 32];
    let mut x = Shake256::new();
    x.update(z);
    x.update(c);
    x.finalize_xof().read(&mut k_bar);
    let mut c_prime = [0u8; MAX_CT];
    let c_prime = &mut c_prime[..p.ct_len()];
    kpke_encrypt(p, ek_pke, &m, &r_prime, c_prime);
    let same = ct_eq_mask(c, c_prime);
    let mut key = [0u8; 32];
    ct_select_bytes(same, &k_prime, &k_bar, &mut key);
    wipe(&mut m);
    wipe(&mut k_prime);
    wipe(&mut r_prime);
    wipe(&mut k_bar);
    wipe(c_prime);
    key
}
