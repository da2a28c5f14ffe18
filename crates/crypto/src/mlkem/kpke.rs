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
use crate::sha3::{Sha3_256, Sha3_512, Shake128, Shake256, SpongesX4};

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

/// The XOF and PRF work of one operation, four SHAKE instances at a time in
/// the lanes of a [`SpongesX4`], each lane taking the next job when its last
/// one is done (longest jobs first):
/// - `j`: K̄ = J(z ‖ c) = SHAKE256(z ‖ c, 32) (FIPS 203 §4.1, eq. 4.4), written
///   to the third element;
/// - Â (`transposed`: Âᵀ) of FIPS 203 Algorithm 13 lines 3-7: entry (i, j) at
///   `a[k i + j]` is SampleNTT of XOF(ρ ‖ j ‖ i) (of Âᵀ: XOF(ρ ‖ i ‖ j)), each
///   stream read until its polynomial is full (as many blocks as the
///   rejections need; Â is public);
/// - `noise[n]` = SamplePolyCBD_η(PRF_η(seed, n)) with η = `eta(n)`
///   (eq. 4.3: 64 η bytes, one or two SHAKE256 blocks).
#[allow(clippy::too_many_arguments)]
fn sample_all(
    rho: &[u8],
    k: usize,
    transposed: bool,
    a: &mut [Poly],
    seed: &[u8; 32],
    eta: impl Fn(usize) -> usize,
    noise: &mut [Poly],
    mut j: Option<(&[u8], &[u8], &mut [u8; 32])>,
) {
    debug_assert!(a.len() >= k * k);
    let mut index = [[0u8; 2]; 16];
    for (n, idx) in index.iter_mut().enumerate().take(k * k) {
        let (i, j) = ((n / k) as u8, (n % k) as u8);
        *idx = if transposed { [i, j] } else { [j, i] };
    }
    let mut nonces = [[0u8; 1]; 9];
    for (n, x) in nonces.iter_mut().enumerate() {
        x[0] = n as u8;
    }
    // Job ids: J (if any), then the k² matrix entries, then the noise.
    let first_matrix = usize::from(j.is_some());
    let first_noise = first_matrix + k * k;
    let total = first_noise + noise.len();
    let j_input = j.as_ref().map(|(z, c, _)| (*z, *c));
    let mut filled = [0usize; 16];
    let mut noise_buf = [[0u8; 2 * Shake256::RATE]; 4];
    let mut noise_blocks = [0usize; 4];
    let mut block = [0u8; 168];
    let mut job = [usize::MAX; 4];
    let mut next = 0;
    let mut x = SpongesX4::new();
    loop {
        for (s, jb) in job.iter_mut().enumerate() {
            if *jb != usize::MAX || next == total {
                continue;
            }
            *jb = next;
            if next < first_matrix {
                let (z, c) = j_input.expect("J is a job");
                x.start(s, Shake256::RATE, z, c);
            } else if next < first_noise {
                x.start(s, Shake128::RATE, rho, &index[next - first_matrix]);
            } else {
                noise_blocks[s] = 0;
                x.start(s, Shake256::RATE, seed, &nonces[next - first_noise]);
            }
            next += 1;
        }
        if job.iter().all(|&jb| jb == usize::MAX) {
            break;
        }
        let ready = x.step();
        for s in 0..4 {
            if !ready[s] {
                continue;
            }
            let id = job[s];
            x.block(s, &mut block);
            let done = if id < first_matrix {
                if let Some((_, _, out)) = j.as_mut() {
                    out.copy_from_slice(&block[..32]);
                }
                true
            } else if id < first_noise {
                let n = id - first_matrix;
                poly::rej_uniform(&block, &mut a[n], &mut filled[n]);
                filled[n] == 256
            } else {
                let n = id - first_noise;
                let len = 64 * eta(n);
                let have = noise_blocks[s] * Shake256::RATE;
                noise_buf[s][have..have + Shake256::RATE].copy_from_slice(&block[..Shake256::RATE]);
                noise_blocks[s] += 1;
                if have + Shake256::RATE >= len {
                    poly::cbd(&noise_buf[s][..len], eta(n), &mut noise[n]);
                    true
                } else {
                    false
                }
            };
            if done {
                x.stop(s);
                job[s] = usize::MAX;
            }
        }
    }
    debug_assert!(x.is_idle(0) && filled[..k * k].iter().all(|&f| f == 256));
    // Plain stores then a compiler barrier (`wipe`), not `zeroize`'s volatile
    // byte-by-byte writes.
    wipe(&mut block);
    for b in noise_buf.iter_mut() {
        wipe(b);
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
    // ŝ = se[..k] with nonces 0..k, ê = se[k..2k] with nonces k..2k.
    let mut se = [ZERO; 8];
    let mut a = [ZERO; 16];
    sample_all(
        &rho,
        k,
        false,
        &mut a,
        &sigma,
        |_| p.eta1,
        &mut se[..2 * k],
        None,
    );
    for x in &mut se[..2 * k] {
        ntt(x);
    }
    let (s, e) = se.split_at(k);
    // t̂ = Â ∘ ŝ + ê, row by row.
    let mut t = ZERO;
    for i in 0..k {
        basemul_acc(&mut t, &a[k * i..k * (i + 1)], s);
        poly::tomont(&mut t);
        poly::add(&mut t, &e[i]);
        poly::reduce(&mut t);
        poly::encode12(&t, &mut ek[384 * i..384 * (i + 1)]);
    }
    ek[384 * k..384 * k + 32].copy_from_slice(&rho);
    for i in 0..k {
        poly::encode12(&s[i], &mut dk_pke[384 * i..384 * (i + 1)]);
    }
    wipe_vec(&mut se);
    wipe(&mut sigma);
}

/// K-PKE.Encrypt (FIPS 203 Algorithm 14) of `m` with randomness `r` under `ek`
/// (already checked, §7.2), into `c`. With `j` = (z, c', out), also computes
/// K̄ = J(z ‖ c') into `out`, in the same lanes as the sampling (decapsulation).
pub(crate) fn kpke_encrypt(
    p: &Params,
    ek: &[u8],
    m: &[u8; 32],
    r: &[u8; 32],
    c: &mut [u8],
    j: Option<(&[u8], &[u8], &mut [u8; 32])>,
) {
    let k = p.k;
    let mut t: PolyVec = [ZERO; 4];
    for (i, ti) in t[..k].iter_mut().enumerate() {
        // The modulus check ran when the key was made; the mask is not needed.
        let _ = poly::decode12(&ek[384 * i..384 * (i + 1)], ti);
    }
    let rho = &ek[384 * k..384 * k + 32];
    // ŷ = ye[..k] (η₁, nonces 0..k), e₁ = ye[k..2k], e₂ = ye[2k] (η₂).
    let mut ye = [ZERO; 9];
    let mut a = [ZERO; 16];
    let eta = |n| if n < k { p.eta1 } else { p.eta2 };
    sample_all(rho, k, true, &mut a, r, eta, &mut ye[..2 * k + 1], j);
    for yi in &mut ye[..k] {
        ntt(yi);
    }
    let (y, e) = ye.split_at(k);
    let y = &y[..k];
    // u = NTT⁻¹(Âᵀ ∘ ŷ) + e₁
    let mut u = ZERO;
    let du = p.du as usize;
    for i in 0..k {
        basemul_acc(&mut u, &a[k * i..k * (i + 1)], y);
        inv_ntt_tomont(&mut u);
        poly::add(&mut u, &e[i]);
        poly::reduce(&mut u);
        poly::compress_encode(&u, p.du, &mut c[32 * du * i..32 * du * (i + 1)]);
    }
    // v = NTT⁻¹(t̂ᵀ ∘ ŷ) + e₂ + Decompress₁(ByteDecode₁(m))
    let mut v = ZERO;
    let mut mu = ZERO;
    basemul_acc(&mut v, &t[..k], y);
    inv_ntt_tomont(&mut v);
    poly::from_msg(m, &mut mu);
    poly::add(&mut v, &e[k]);
    poly::add(&mut v, &mu);
    poly::reduce(&mut v);
    poly::compress_encode(&v, p.dv, &mut c[32 * du * k..p.ct_len()]);
    wipe_vec(&mut ye);
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
///
/// `ek_hash` is H(ek), computed once when the key was parsed (FIPS 203 §7.2
/// allows keeping it with the key).
pub(crate) fn encaps_internal(
    p: &Params,
    ek: &[u8],
    ek_hash: &[u8; 32],
    m: &[u8; 32],
    c: &mut [u8],
) -> [u8; 32] {
    debug_assert_eq!(*ek_hash, h(ek));
    let (key, mut r) = g(&[m, ek_hash]);
    kpke_encrypt(p, ek, m, &r, c, None);
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
    // K̄ = J(z ‖ c) = SHAKE256(z ‖ c, 32) (FIPS 203 §4.1, eq. 4.4), computed
    // beside the re-encryption's sampling.
    let mut k_bar = [0u8; 32];
    let mut c_prime = [0u8; MAX_CT];
    let c_prime = &mut c_prime[..p.ct_len()];
    kpke_encrypt(p, ek_pke, &m, &r_prime, c_prime, Some((z, c, &mut k_bar)));
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
