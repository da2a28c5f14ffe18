//! The ChaCha20 stream cipher (RFC 8439 §2.3, §2.4): AVX2 eight blocks at a time on
//! x86-64, one block at a time in portable code. ChaCha20 is add-rotate-xor only,
//! so both are constant time.

use crate::Backend;

/// "expand 32-byte k" (RFC 8439 §2.3).
pub(crate) const SIGMA: [u32; 4] = [0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574];

#[inline(always)]
fn quarter_round(s: &mut [u32; 16], a: usize, b: usize, c: usize, d: usize) {
    s[a] = s[a].wrapping_add(s[b]);
    s[d] = (s[d] ^ s[a]).rotate_left(16);
    s[c] = s[c].wrapping_add(s[d]);
    s[b] = (s[b] ^ s[c]).rotate_left(12);
    s[a] = s[a].wrapping_add(s[b]);
    s[d] = (s[d] ^ s[a]).rotate_left(8);
    s[c] = s[c].wrapping_add(s[d]);
    s[b] = (s[b] ^ s[c]).rotate_left(7);
}

/// The initial state: constants, key, block counter, nonce (RFC 8439 §2.3).
pub(crate) fn initial_state(key: &[u8; 32], counter: u32, nonce: &[u8; 12]) -> [u32; 16] {
    let mut s = [0u32; 16];
    s[..4].copy_from_slice(&SIGMA);
    for i in 0..8 {
        s[4 + i] = u32::from_le_bytes(key[4 * i..4 * i + 4].try_into().expect("4 bytes"));
    }
    s[12] = counter;
    for i in 0..3 {
        s[13 + i] = u32::from_le_bytes(nonce[4 * i..4 * i + 4].try_into().expect("4 bytes"));
    }
    s
}

/// The ChaCha20 block function (RFC 8439 §2.3): 20 rounds, then add the input state.
pub(crate) fn block(state: &[u32; 16]) -> [u8; 64] {
    let mut x = *state;
    for _ in 0..10 {
        quarter_round(&mut x, 0, 4, 8, 12);
        quarter_round(&mut x, 1, 5, 9, 13);
        quarter_round(&mut x, 2, 6, 10, 14);
        quarter_round(&mut x, 3, 7, 11, 15);
        quarter_round(&mut x, 0, 5, 10, 15);
        quarter_round(&mut x, 1, 6, 11, 12);
        quarter_round(&mut x, 2, 7, 8, 13);
        quarter_round(&mut x, 3, 4, 9, 14);
    }
    let mut out = [0u8; 64];
    for i in 0..16 {
        out[4 * i..4 * i + 4].copy_from_slice(&x[i].wrapping_add(state[i]).to_le_bytes());
    }
    crate::ct::wipe(&mut x);
    out
}

/// XORs `data` with the keystream of blocks `state[12]`, `state[12] + 1`, ...
/// (the 32-bit counter wraps, as in RFC 8439's reference).
pub(crate) fn xor_portable(state: &[u32; 16], data: &mut [u8]) {
    let mut s = *state;
    for chunk in data.chunks_mut(64) {
        let mut ks = block(&s);
        for (x, k) in chunk.iter_mut().zip(ks.iter()) {
            *x ^= k;
        }
        crate::ct::wipe(&mut ks);
        s[12] = s[12].wrapping_add(1);
    }
    crate::ct::wipe(&mut s);
}

/// XORs with the keystream on the backend's best implementation.
pub(crate) fn xor_with(avx2: bool, state: &[u32; 16], data: &mut [u8]) {
    if avx2 && data.len() > 128 {
        let mut s = *state;
        #[cfg(target_arch = "x86_64")]
        {
            let f = crate::backend::Features::detected();
            let done = crate::x86::chacha_avx2::xor_blocks8(f, &s, data);
            s[12] = s[12].wrapping_add((done / 64) as u32);
            let rest = &mut data[done..];
            if let (Some(mut ks), true) = (keystream_group(avx2, &s), rest.len() > 128) {
                // One more eight-block group costs less than three scalar blocks.
                for (x, k) in rest.iter_mut().zip(ks.iter()) {
                    *x ^= k;
                }
                crate::ct::wipe(&mut ks);
            } else {
                xor_portable(&s, rest);
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        xor_portable(&s, data);
        crate::ct::wipe(&mut s);
        return;
    }
    xor_portable(state, data);
}

/// Eight blocks of keystream (512 bytes) from `state` in one AVX2 pass, when `avx2`.
pub(crate) fn keystream_group(avx2: bool, state: &[u32; 16]) -> Option<[u8; 512]> {
    #[cfg(target_arch = "x86_64")]
    if avx2 {
        let mut ks = [0u8; 512];
        let f = crate::backend::Features::detected();
        if crate::x86::chacha_avx2::xor_blocks8(f, state, &mut ks) == ks.len() {
            return Some(ks);
        }
    }
    let _ = (avx2, state);
    None
}

/// True when `backend` gives ChaCha20 its AVX2 path.
pub(crate) fn use_avx2(backend: Backend) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        crate::backend::Features::for_backend(backend).avx2()
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = backend;
        false
    }
}

/// ChaCha20 (RFC 8439 §2.4): XORs `data` in place with the keystream starting at
/// block `counter`, on the default backend.
///
/// ```
/// use handshake_crypto::chacha20_xor;
/// let mut msg = *b"hello";
/// chacha20_xor(&[1; 32], &[2; 12], 1, &mut msg);
/// chacha20_xor(&[1; 32], &[2; 12], 1, &mut msg);
/// assert_eq!(&msg, b"hello");
/// ```
pub fn chacha20_xor(key: &[u8; 32], nonce: &[u8; 12], counter: u32, data: &mut [u8]) {
    chacha20_xor_with_backend(Backend::auto(), key, nonce, counter, data)
}

/// [`chacha20_xor`] on an explicit backend.
pub fn chacha20_xor_with_backend(
    backend: Backend,
    key: &[u8; 32],
    nonce: &[u8; 12],
    counter: u32,
    data: &mut [u8],
) {
    let mut s = initial_state(key, counter, nonce);
    xor_with(use_avx2(backend), &s, data);
    crate::ct::wipe(&mut s);
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    #[test]
    fn rfc8439_2_3_2_block() {
        let key: [u8; 32] = core::array::from_fn(|i| i as u8);
        let nonce: [u8; 12] = h("000000090000004a00000000").try_into().unwrap();
        let out = block(&initial_state(&key, 1, &nonce));
        assert_eq!(out.to_vec(), h("10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4ed2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e"));
    }

    #[test]
    fn rfc8439_2_4_2_encryption() {
        let key: [u8; 32] = core::array::from_fn(|i| i as u8);
        let nonce: [u8; 12] = h("000000000000004a00000000").try_into().unwrap();
        let pt = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";
        let want = h("6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0bf91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d807ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab77937365af90bbf74a35be6b40b8eedf2785e42874d");
        for backend in [Backend::Portable, Backend::Native] {
            let mut buf = pt.to_vec();
            chacha20_xor_with_backend(backend, &key, &nonce, 1, &mut buf);
            assert_eq!(buf, want);
        }
    }

    #[test]
    fn avx2_matches_portable() {
        let key: [u8; 32] = core::array::from_fn(|i| (i * 7 + 1) as u8);
        let nonce = [3u8; 12];
        for counter in [0u32, 1, u32::MAX - 3] {
            for len in [0usize, 1, 63, 64, 65, 511, 512, 513, 1024, 1500, 4096, 4100] {
                let data: Vec<u8> = (0..len).map(|i| (i * 13) as u8).collect();
                let mut a = data.clone();
                let mut b = data.clone();
                chacha20_xor_with_backend(Backend::Portable, &key, &nonce, counter, &mut a);
                chacha20_xor_with_backend(Backend::Native, &key, &nonce, counter, &mut b);
                assert_eq!(a, b, "len {len} counter {counter}");
            }
        }
    }

    /// The AVX2 entry point checks the detected features itself: handed the portable
    /// (empty) features it does nothing, so a safe caller cannot run AVX2 on a CPU
    /// that lacks it; with the detected ones it agrees with the portable code.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn avx2_entry_points_check_features() {
        use crate::backend::Features;
        use crate::x86::chacha_avx2::{seal_stitched, xor_blocks8};
        let state = initial_state(&[5; 32], 7, &[6; 12]);
        let mut data = vec![0xa5u8; 1024];
        assert_eq!(xor_blocks8(Features::portable(), &state, &mut data), 0);
        assert!(data.iter().all(|&b| b == 0xa5));
        let (mut h, r) = ([1u64, 2, 3], [4u64, 5]);
        assert_eq!(
            seal_stitched(Features::portable(), &state, &mut data, &mut h, &r),
            0
        );
        assert!(data.iter().all(|&b| b == 0xa5));
        assert_eq!(h, [1, 2, 3]);
        let f = Features::detected();
        let done = xor_blocks8(f, &state, &mut data);
        assert_eq!(done, if f.avx2() { 1024 } else { 0 });
        let mut want = vec![0xa5u8; 1024];
        xor_portable(&state, &mut want[..done]);
        assert_eq!(data, want);
    }
}
