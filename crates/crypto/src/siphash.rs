//! SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF",
//! 2012): a keyed pseudorandom function for short messages, the one the
//! Linux kernel uses for TCP initial sequence numbers and SYN cookies.

/// SipHash-2-4 under a 128-bit key: two compression rounds per 8-byte word,
/// four finalization rounds, a 64-bit output.
///
/// It is a PRF, not a MAC to put on the wire or a hash for long inputs: use
/// it where a secret-keyed function of a few words must be unpredictable to
/// whoever does not hold the key (RFC 6528's F). The key is wiped on drop.
///
/// ```
/// use handshake_crypto::SipHash24;
/// // The paper's test vector (Appendix A): key 00..0f, message 00..0e.
/// let key: [u8; 16] = core::array::from_fn(|i| i as u8);
/// let msg: [u8; 15] = core::array::from_fn(|i| i as u8);
/// assert_eq!(SipHash24::new(&key).hash(&msg), 0xa129_ca61_49be_45e5);
/// ```
#[derive(Clone)]
pub struct SipHash24 {
    k0: u64,
    k1: u64,
}

impl SipHash24 {
    /// Keyed with `key`, read as two little-endian words (the paper's k0, k1).
    pub fn new(key: &[u8; 16]) -> Self {
        let mut k0 = [0u8; 8];
        let mut k1 = [0u8; 8];
        k0.copy_from_slice(&key[..8]);
        k1.copy_from_slice(&key[8..]);
        let k = SipHash24 {
            k0: u64::from_le_bytes(k0),
            k1: u64::from_le_bytes(k1),
        };
        zeroize::Zeroize::zeroize(&mut k0);
        zeroize::Zeroize::zeroize(&mut k1);
        k
    }

    /// SipHash-2-4 of `data`.
    pub fn hash(&self, data: &[u8]) -> u64 {
        let mut v = [
            self.k0 ^ 0x736f_6d65_7073_6575,
            self.k1 ^ 0x646f_7261_6e64_6f6d,
            self.k0 ^ 0x6c79_6765_6e65_7261,
            self.k1 ^ 0x7465_6462_7974_6573,
        ];
        let mut words = data.chunks_exact(8);
        for w in &mut words {
            let mut b = [0u8; 8];
            b.copy_from_slice(w);
            compress(&mut v, u64::from_le_bytes(b));
        }
        // The last word: the remaining bytes, and the length mod 256 in
        // its top byte.
        let rest = words.remainder();
        let mut b = [0u8; 8];
        b[..rest.len()].copy_from_slice(rest);
        b[7] = data.len() as u8;
        compress(&mut v, u64::from_le_bytes(b));
        v[2] ^= 0xff;
        for _ in 0..4 {
            round(&mut v);
        }
        v[0] ^ v[1] ^ v[2] ^ v[3]
    }
}

/// One message word: two SipRounds between the XORs into v3 and v0.
#[inline(always)]
fn compress(v: &mut [u64; 4], m: u64) {
    v[3] ^= m;
    round(v);
    round(v);
    v[0] ^= m;
}

#[inline(always)]
fn round(v: &mut [u64; 4]) {
    v[0] = v[0].wrapping_add(v[1]);
    v[1] = v[1].rotate_left(13);
    v[1] ^= v[0];
    v[0] = v[0].rotate_left(32);
    v[2] = v[2].wrapping_add(v[3]);
    v[3] = v[3].rotate_left(16);
    v[3] ^= v[2];
    v[0] = v[0].wrapping_add(v[3]);
    v[3] = v[3].rotate_left(21);
    v[3] ^= v[0];
    v[2] = v[2].wrapping_add(v[1]);
    v[1] = v[1].rotate_left(17);
    v[1] ^= v[2];
    v[2] = v[2].rotate_left(32);
}

impl Drop for SipHash24 {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.k0);
        zeroize::Zeroize::zeroize(&mut self.k1);
    }
}

impl core::fmt::Debug for SipHash24 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SipHash24 { key: <secret> }")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> [u8; 16] {
        core::array::from_fn(|i| i as u8)
    }

    /// The reference implementation's `vectors.h` (vectors_sip64): key
    /// 00..0f, messages 00, 00 01, ..., 00..n-1; the outputs as
    /// little-endian bytes.
    #[test]
    fn reference_vectors() {
        let cases: [(usize, [u8; 8]); 2] = [
            (0, [0x31, 0x0e, 0x0e, 0xdd, 0x47, 0xdb, 0x6f, 0x72]),
            (1, [0xfd, 0x67, 0xdc, 0x93, 0xc5, 0x39, 0xf8, 0x74]),
        ];
        let h = SipHash24::new(&key());
        for (len, want) in cases {
            let msg: alloc::vec::Vec<u8> = (0..len as u8).collect();
            assert_eq!(h.hash(&msg).to_le_bytes(), want, "length {len}");
        }
        let msg: [u8; 15] = core::array::from_fn(|i| i as u8);
        assert_eq!(h.hash(&msg), 0xa129_ca61_49be_45e5);
    }

    /// The same function as the standard library's SipHash-2-4 (deprecated
    /// as a `Hasher` for maps, still SipHash-2-4) over the raw bytes, for
    /// every length across three words and several keys.
    #[test]
    #[allow(deprecated)]
    fn matches_std_siphasher() {
        use core::hash::Hasher;
        let data: alloc::vec::Vec<u8> = (0..70u32).map(|i| (i * 37 + 11) as u8).collect();
        for seed in 0..4u8 {
            let k: [u8; 16] = core::array::from_fn(|i| (i as u8).wrapping_mul(29) ^ seed);
            let ours = SipHash24::new(&k);
            let k0 = u64::from_le_bytes(k[..8].try_into().unwrap());
            let k1 = u64::from_le_bytes(k[8..].try_into().unwrap());
            for len in 0..data.len() {
                let mut std = core::hash::SipHasher::new_with_keys(k0, k1);
                std.write(&data[..len]);
                assert_eq!(ours.hash(&data[..len]), std.finish(), "length {len}");
            }
        }
    }
}
