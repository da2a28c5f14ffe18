//! AES-GCM with VAES and VPCLMULQDQ, stitched: each iteration encrypts sixteen
//! counter blocks (eight 256-bit registers) and, between the AES rounds, multiplies
//! sixteen ciphertext blocks into GHASH (eight 256-bit VPCLMULQDQ products, one
//! reduction). The AES and carry-less multiply units run side by side instead of one
//! pass after the other.

use core::arch::x86_64::*;

use super::aesni::{keystream, NiKey};
use super::clmul::{bswap, mul_acc, reduce, HTable};
use super::{load128, load128_at, load256_at, store128, store128_at, store256_at};

/// Seals the whole 256-byte groups of `data` in place: CTR from counter block `cb`
/// (already inc32(J0)), GHASH state `y` updated with the ciphertext. Returns the
/// number of bytes done (0 when VAES or VPCLMULQDQ is missing).
pub(crate) fn seal(
    k: &NiKey,
    t: &HTable,
    cb: &[u8; 16],
    y: &mut [u8; 16],
    data: &mut [u8],
) -> usize {
    if !(k.has_vaes() && t.has_vpclmul()) || data.len() < 256 {
        return 0;
    }
    // SAFETY: has_vaes / has_vpclmul are set only after run-time detection of AES-NI,
    // VAES, AVX2, PCLMULQDQ, VPCLMULQDQ, SSSE3 and SSE4.1.
    unsafe {
        if k.rounds() == 10 {
            stitched::<true, 10>(k, t, cb, y, data)
        } else {
            stitched::<true, 14>(k, t, cb, y, data)
        }
    }
}

/// Opens the whole 256-byte groups of `data` in place: GHASH over the ciphertext,
/// then CTR decryption, stitched. Returns the number of bytes done.
pub(crate) fn open(
    k: &NiKey,
    t: &HTable,
    cb: &[u8; 16],
    y: &mut [u8; 16],
    data: &mut [u8],
) -> usize {
    if !(k.has_vaes() && t.has_vpclmul()) || data.len() < 256 {
        return 0;
    }
    // SAFETY: as in `seal`.
    unsafe {
        if k.rounds() == 10 {
            stitched::<false, 10>(k, t, cb, y, data)
        } else {
            stitched::<false, 14>(k, t, cb, y, data)
        }
    }
}

/// The XOR of the two 128-bit lanes of `v`. A `#[target_feature]` function: safe to
/// call only from code compiled with AVX2 enabled (`stitched`); anywhere else the
/// compiler demands an `unsafe` block, so it cannot run on a CPU that was not
/// checked for AVX2.
#[inline]
#[target_feature(enable = "avx2")]
fn fold(v: __m256i) -> __m128i {
    _mm_xor_si128(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1))
}

/// The rounds are a const parameter so every loop below unrolls and the GHASH steps
/// land between fixed AES rounds.
#[target_feature(enable = "aes,vaes,avx2,pclmulqdq,vpclmulqdq,sse4.1,ssse3")]
fn stitched<const SEAL: bool, const R: usize>(
    k: &NiKey,
    t: &HTable,
    cb: &[u8; 16],
    y: &mut [u8; 16],
    data: &mut [u8],
) -> usize {
    let rk128 = k.enc_keys();
    let rk: [__m256i; 15] = core::array::from_fn(|i| _mm256_broadcastsi128_si256(rk128[i]));
    let rev = _mm256_broadcastsi128_si256(_mm_set_epi8(
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
    ));
    // Pairs (H^16, H^15), (H^14, H^13), ...: lane 0 gets the earlier block.
    let hp: [__m256i; 8] =
        core::array::from_fn(|j| _mm256_set_m128i(t.power(14 - 2 * j), t.power(15 - 2 * j)));
    let mut acc = bswap(load128(y));
    // Byte-reversed counters: one VPADDD steps them, wrapping modulo 2^32 like inc32.
    let mut c = _mm256_shuffle_epi8(_mm256_broadcastsi128_si256(load128(cb)), rev);
    c = _mm256_add_epi32(c, _mm256_set_epi32(0, 0, 0, 1, 0, 0, 0, 0));
    let two = _mm256_set_epi32(0, 0, 0, 2, 0, 0, 0, 2);

    let groups = data.len() / 256;
    for g in 0..=groups {
        // Sealing hashes the previous group's ciphertext; opening hashes this group's
        // ciphertext before it is overwritten. Sealing runs one extra pass, hash only.
        let (done, rest) = data.split_at_mut(256 * g.min(groups));
        let encrypting = g < groups;
        if !SEAL && !encrypting {
            break;
        }
        // (No closures here: a call that is not inlined would spill every ymm register.)
        let src: Option<&[u8]> = if SEAL {
            if g > 0 {
                Some(&done[256 * (g - 1)..])
            } else {
                None
            }
        } else {
            Some(&rest[..256])
        };
        let mut b = [_mm256_setzero_si256(); 8];
        if encrypting {
            for x in b.iter_mut() {
                *x = _mm256_xor_si256(_mm256_shuffle_epi8(c, rev), rk[0]);
                c = _mm256_add_epi32(c, two);
            }
        }
        let z = _mm256_setzero_si256();
        let (mut lo, mut mid, mut hi) = (z, z, z);
        #[allow(clippy::needless_range_loop)] // r also places the GHASH steps
        for r in 1..R.max(9) {
            if encrypting && r < R {
                for x in b.iter_mut() {
                    *x = _mm256_aesenc_epi128(*x, rk[r]);
                }
            }
            if let (Some(src), true) = (src, r <= 8) {
                let j = r - 1;
                let mut x = _mm256_shuffle_epi8(load256_at(src, 32 * j), rev);
                if j == 0 {
                    x = _mm256_xor_si256(x, _mm256_zextsi128_si256(acc));
                }
                let h = hp[j];
                lo = _mm256_xor_si256(lo, _mm256_clmulepi64_epi128(x, h, 0x00));
                hi = _mm256_xor_si256(hi, _mm256_clmulepi64_epi128(x, h, 0x11));
                mid = _mm256_xor_si256(mid, _mm256_clmulepi64_epi128(x, h, 0x01));
                mid = _mm256_xor_si256(mid, _mm256_clmulepi64_epi128(x, h, 0x10));
            }
        }
        if src.is_some() {
            acc = reduce([fold(lo), fold(mid), fold(hi)]);
        }
        if encrypting {
            let chunk = &mut rest[..256];
            for (i, x) in b.iter().enumerate() {
                let s = _mm256_aesenclast_epi128(*x, rk[R]);
                let d = _mm256_xor_si256(load256_at(chunk, 32 * i), s);
                store256_at(chunk, 32 * i, d);
            }
        }
    }
    store128(y, bswap(acc));
    groups * 256
}

/// The longest message the short path takes: seven blocks, so that E(J0) and
/// the data's keystream are one batch of eight AES blocks.
pub(crate) const SHORT_MAX: usize = 112;

/// Seals a message of at most [`SHORT_MAX`] bytes with at most 16 bytes of
/// AAD (TLS's 13 or 5) in place and returns the tag; `None` (nothing done)
/// for longer ones. E(J0) and the keystream are one batch of parallel AES
/// blocks; GHASH of AAD || C || lengths (at most nine blocks) is one
/// aggregated product with H^m..H^1 and one reduction. Nothing but a partial
/// block goes through memory.
pub(crate) fn seal_short(
    k: &NiKey,
    t: &HTable,
    j0: &[u8; 16],
    aad: &[u8],
    data: &mut [u8],
) -> Option<[u8; 16]> {
    if !takes_short(aad, data) {
        return None;
    }
    // SAFETY: a NiKey exists only after run-time detection of AES-NI and SSE4.1,
    // an HTable only after PCLMULQDQ and SSSE3 (see their constructors).
    Some(unsafe { short::<true>(k, t, j0, aad, data, &[0; 16]).0 })
}

/// Opens a message of at most [`SHORT_MAX`] bytes with at most 16 bytes of
/// AAD in place: `Some(true)` when `tag` is right (then, and only then, the
/// data is decrypted), `Some(false)` when it is not (the data is left as it
/// was), `None` (nothing done) for longer messages.
pub(crate) fn open_short(
    k: &NiKey,
    t: &HTable,
    j0: &[u8; 16],
    aad: &[u8],
    data: &mut [u8],
    tag: &[u8; 16],
) -> Option<bool> {
    if !takes_short(aad, data) {
        return None;
    }
    // SAFETY: as in `seal_short`.
    Some(unsafe { short::<false>(k, t, j0, aad, data, tag).1 })
}

/// What the short path takes: AAD of at most one block, at most
/// [`SHORT_MAX`] bytes of data.
fn takes_short(aad: &[u8], data: &[u8]) -> bool {
    aad.len() <= 16 && data.len() <= SHORT_MAX
}

/// What the long path takes: VAES and VPCLMULQDQ, AAD of at most one block,
/// at least one 256-byte group of data.
fn takes_long(k: &NiKey, t: &HTable, aad: &[u8], data: &[u8]) -> bool {
    k.has_vaes() && t.has_vpclmul() && aad.len() <= 16 && data.len() >= 256
}

/// The AAD (1 to 16 bytes) as one zero-padded GHASH block, byte-reversed.
#[inline]
#[target_feature(enable = "sse2,ssse3")]
fn aad_block(aad: &[u8]) -> __m128i {
    bswap(match <&[u8; 16]>::try_from(aad) {
        Ok(full) => load128(full),
        Err(_) => load_partial(aad),
    })
}

/// GHASH's last block, [len(A)]_64 || [len(C)]_64 in bits, byte-reversed as
/// the products read it.
#[inline]
#[target_feature(enable = "sse2")]
fn lengths_block(aad_len: usize, ct_len: usize) -> __m128i {
    _mm_set_epi64x((aad_len as u64 * 8) as i64, (ct_len as u64 * 8) as i64)
}

/// Whether the computed tag equals `tag`, in constant time: one comparison
/// of all sixteen bytes, one mask.
#[inline]
#[target_feature(enable = "sse2")]
fn tag_matches(s: __m128i, tag: &[u8; 16]) -> bool {
    _mm_movemask_epi8(_mm_cmpeq_epi8(s, load128(tag))) == 0xffff
}

/// Up to 15 bytes, zero-padded to a block.
#[inline]
#[target_feature(enable = "sse2")]
fn load_partial(s: &[u8]) -> __m128i {
    let mut b = [0u8; 16];
    b[..s.len()].copy_from_slice(s);
    let v = load128(&b);
    crate::ct::wipe(&mut b);
    v
}

/// The first `s.len()` (< 16) bytes of `v` into `s`.
#[inline]
#[target_feature(enable = "sse2")]
fn store_partial(s: &mut [u8], v: __m128i) {
    let mut b = [0u8; 16];
    store128(&mut b, v);
    let n = s.len();
    s.copy_from_slice(&b[..n]);
    crate::ct::wipe(&mut b);
}

/// The short path of both directions: returns the computed tag and, when
/// opening, whether it equals `tag` (compared in constant time; the
/// plaintext is written only then).
#[target_feature(enable = "aes,pclmulqdq,sse2,sse4.1,ssse3")]
fn short<const SEAL: bool>(
    k: &NiKey,
    t: &HTable,
    j0: &[u8; 16],
    aad: &[u8],
    data: &mut [u8],
    tag: &[u8; 16],
) -> ([u8; 16], bool) {
    let rk = k.enc_keys();
    let ctr = u32::from_be_bytes([j0[12], j0[13], j0[14], j0[15]]);
    // Block 0 is E(J0) for the tag; block i + 1 the keystream of data block i.
    let ks = keystream::<8>(&rk, k.rounds(), load128(j0), ctr);
    let full = data.len() / 16;
    let rest = data.len() % 16;
    let n = full + usize::from(rest > 0);
    // GHASH blocks: the AAD (if any), the ciphertext, the lengths: m <= 9.
    let m = usize::from(!aad.is_empty()) + n + 1;
    let z = _mm_setzero_si128();
    let mut acc = [z, z, z];
    let mut j = 0;
    if !aad.is_empty() {
        mul_acc(&mut acc, aad_block(aad), t.power(m - 1));
        j = 1;
    }
    let mut out = [z; 7];
    for (i, o) in out.iter_mut().enumerate().take(n) {
        let last = i == full;
        let x = if last {
            load_partial(&data[16 * i..])
        } else {
            load128_at(data, 16 * i)
        };
        *o = _mm_xor_si128(x, ks[i + 1]);
        let mut c = if SEAL { *o } else { x };
        if SEAL && last {
            // The keystream past the message's end is not ciphertext.
            let keep: &[u8; 16] = PARTIAL_MASK[16 - rest..32 - rest]
                .try_into()
                .expect("16 bytes");
            c = _mm_and_si128(c, load128(keep));
        }
        mul_acc(&mut acc, bswap(c), t.power(m - 1 - j));
        j += 1;
    }
    mul_acc(&mut acc, lengths_block(aad.len(), data.len()), t.power(0));
    let s = _mm_xor_si128(bswap(reduce(acc)), ks[0]);
    let mut computed = [0u8; 16];
    store128(&mut computed, s);
    let ok = SEAL || tag_matches(s, tag);
    if ok {
        for (i, o) in out.iter().enumerate().take(n) {
            if i == full {
                store_partial(&mut data[16 * i..], *o);
            } else {
                store128_at(data, 16 * i, *o);
            }
        }
    }
    (computed, ok)
}

/// Sixteen 0xff then sixteen 0x00: the 16 bytes from offset 16 - r keep the
/// first r bytes of a block.
static PARTIAL_MASK: [u8; 32] = {
    let mut m = [0u8; 32];
    let mut i = 0;
    while i < 16 {
        m[i] = 0xff;
        i += 1;
    }
    m
};

/// Seals a message of at least 256 bytes with at most 16 bytes of AAD when
/// VAES and VPCLMULQDQ are there (else `None`, nothing done): the AAD's GHASH
/// block, E(J0) and the lengths block in registers around [`stitched`], the
/// tail of fewer than 256 bytes through the CTR and GHASH paths.
pub(crate) fn seal_long(
    k: &NiKey,
    t: &HTable,
    j0: &[u8; 16],
    aad: &[u8],
    data: &mut [u8],
) -> Option<[u8; 16]> {
    if !takes_long(k, t, aad, data) {
        return None;
    }
    // SAFETY: as in `seal`.
    Some(unsafe {
        if k.rounds() == 10 {
            long::<true, 10>(k, t, j0, aad, data, &[0; 16]).0
        } else {
            long::<true, 14>(k, t, j0, aad, data, &[0; 16]).0
        }
    })
}

/// Opens what [`seal_long`] seals: `Some(true)` with the data decrypted when
/// `tag` is right, `Some(false)` with the ciphertext put back when it is not.
pub(crate) fn open_long(
    k: &NiKey,
    t: &HTable,
    j0: &[u8; 16],
    aad: &[u8],
    data: &mut [u8],
    tag: &[u8; 16],
) -> Option<bool> {
    if !takes_long(k, t, aad, data) {
        return None;
    }
    // SAFETY: as in `seal`.
    Some(unsafe {
        if k.rounds() == 10 {
            long::<false, 10>(k, t, j0, aad, data, tag).1
        } else {
            long::<false, 14>(k, t, j0, aad, data, tag).1
        }
    })
}

#[target_feature(enable = "aes,vaes,avx2,pclmulqdq,vpclmulqdq,sse4.1,ssse3")]
fn long<const SEAL: bool, const R: usize>(
    k: &NiKey,
    t: &HTable,
    j0: &[u8; 16],
    aad: &[u8],
    data: &mut [u8],
    tag: &[u8; 16],
) -> ([u8; 16], bool) {
    let rk = k.enc_keys();
    let c0 = u32::from_be_bytes([j0[12], j0[13], j0[14], j0[15]]);
    let [ek0] = keystream::<1>(&rk, R, load128(j0), c0);
    let z = _mm_setzero_si128();
    let mut y = [0u8; 16];
    if !aad.is_empty() {
        let mut acc = [z, z, z];
        mul_acc(&mut acc, aad_block(aad), t.power(0));
        store128(&mut y, bswap(reduce(acc)));
    }
    let mut cb = *j0;
    cb[12..].copy_from_slice(&c0.wrapping_add(1).to_be_bytes());
    let done = stitched::<SEAL, R>(k, t, &cb, &mut y, data);
    let mut rest_cb = cb;
    rest_cb[12..].copy_from_slice(&c0.wrapping_add(1 + (done / 16) as u32).to_be_bytes());
    let (head, rest) = data.split_at_mut(done);
    if SEAL {
        k.ctr32_xor(&rest_cb, rest);
    }
    t.update(&mut y, rest);
    let lens = lengths_block(aad.len(), head.len() + rest.len());
    let mut acc = [z, z, z];
    mul_acc(
        &mut acc,
        _mm_xor_si128(bswap(load128(&y)), lens),
        t.power(0),
    );
    let s = _mm_xor_si128(bswap(reduce(acc)), ek0);
    let mut computed = [0u8; 16];
    store128(&mut computed, s);
    if SEAL {
        return (computed, true);
    }
    let ok = tag_matches(s, tag);
    if ok {
        k.ctr32_xor(&rest_cb, rest);
    } else {
        // Put back the ciphertext: no unauthenticated plaintext is released.
        k.ctr32_xor(&cb, head);
    }
    (computed, ok)
}
