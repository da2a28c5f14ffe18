//! SHA-256 compression with the SHA extensions (SHA256RNDS2, SHA256MSG1, SHA256MSG2).
//!
//! The state is kept as ABEF/CDGH, the layout SHA256RNDS2 works on; each of the 16
//! groups does four rounds, scheduling the message four words at a time.

use core::arch::x86_64::*;

use super::{load128_at, store128};

/// Compresses whole 64-byte blocks into `state`. Only called when SHA-NI, SSSE3 and
/// SSE4.1 were detected.
pub(crate) fn compress256(state: &mut [u32; 8], blocks: &[u8]) {
    // SAFETY: `Sha256` sets its `shani` flag only after run-time detection of the
    // sha, ssse3 and sse4.1 features (backend::Features::detect).
    unsafe { compress256_ni(state, blocks) }
}

macro_rules! k {
    ($i:expr) => {
        _mm_set_epi32(
            K[4 * $i + 3] as i32,
            K[4 * $i + 2] as i32,
            K[4 * $i + 1] as i32,
            K[4 * $i] as i32,
        )
    };
}

const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
fn compress256_ni(state: &mut [u32; 8], blocks: &[u8]) {
    let mut st = [0u8; 32];
    for (o, s) in st.chunks_exact_mut(4).zip(state.iter()) {
        o.copy_from_slice(&s.to_le_bytes());
    }
    let abcd = load128_at(&st, 0);
    let efgh = load128_at(&st, 16);
    let tmp = _mm_shuffle_epi32(abcd, 0xB1); // CDAB
    let efgh = _mm_shuffle_epi32(efgh, 0x1B); // EFGH
    let mut state0 = _mm_alignr_epi8(tmp, efgh, 8); // ABEF
    let mut state1 = _mm_blend_epi16(efgh, tmp, 0xF0); // CDGH
    let mask = _mm_set_epi64x(0x0c0d_0e0f_0809_0a0b, 0x0405_0607_0001_0203);

    for block in blocks.chunks_exact(64) {
        let abef_save = state0;
        let cdgh_save = state1;
        let mut w: [__m128i; 4] =
            core::array::from_fn(|i| _mm_shuffle_epi8(load128_at(block, 16 * i), mask));

        macro_rules! group {
            ($i:expr) => {{
                let mut msg = _mm_add_epi32(w[$i % 4], k!($i));
                state1 = _mm_sha256rnds2_epu32(state1, state0, msg);
                if $i >= 3 && $i <= 14 {
                    let t = _mm_alignr_epi8(w[$i % 4], w[($i + 3) % 4], 4);
                    w[($i + 1) % 4] = _mm_add_epi32(w[($i + 1) % 4], t);
                    w[($i + 1) % 4] = _mm_sha256msg2_epu32(w[($i + 1) % 4], w[$i % 4]);
                }
                msg = _mm_shuffle_epi32(msg, 0x0E);
                state0 = _mm_sha256rnds2_epu32(state0, state1, msg);
                if $i >= 1 && $i <= 12 {
                    w[($i + 3) % 4] = _mm_sha256msg1_epu32(w[($i + 3) % 4], w[$i % 4]);
                }
            }};
        }
        group!(0);
        group!(1);
        group!(2);
        group!(3);
        group!(4);
        group!(5);
        group!(6);
        group!(7);
        group!(8);
        group!(9);
        group!(10);
        group!(11);
        group!(12);
        group!(13);
        group!(14);
        group!(15);

        state0 = _mm_add_epi32(state0, abef_save);
        state1 = _mm_add_epi32(state1, cdgh_save);
    }

    let tmp = _mm_shuffle_epi32(state0, 0x1B); // FEBA
    let state1 = _mm_shuffle_epi32(state1, 0xB1); // DCHG
    let abcd = _mm_blend_epi16(tmp, state1, 0xF0); // DCBA
    let efgh = _mm_alignr_epi8(state1, tmp, 8); // HGFE
    let mut lo = [0u8; 16];
    let mut hi = [0u8; 16];
    store128(&mut lo, abcd);
    store128(&mut hi, efgh);
    for i in 0..4 {
        state[i] = u32::from_le_bytes([lo[4 * i], lo[4 * i + 1], lo[4 * i + 2], lo[4 * i + 3]]);
        state[4 + i] = u32::from_le_bytes([hi[4 * i], hi[4 * i + 1], hi[4 * i + 2], hi[4 * i + 3]]);
    }
}
