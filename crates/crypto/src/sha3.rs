//! SHA-3 and SHAKE (FIPS 202): the Keccak-f[1600] permutation (§3), the sponge
//! (§4) with the pad10*1 rule (§5.1), and the hash and extendable-output functions
//! of §6, with no branches or table lookups on the data; and [`SpongesX4`], four
//! SHAKE instances stepped together (for ML-KEM). On x86-64 the permutation is
//! compiled with BMI1 when the CPU has it, and the four-way one runs in AVX2.

use zeroize::Zeroize;

/// The round constants of ι (FIPS 202 §3.2.5, Algorithm 6 computed for ir = 0..23).
pub(crate) const RC: [u64; 24] = [
    0x0000000000000001,
    0x0000000000008082,
    0x800000000000808a,
    0x8000000080008000,
    0x000000000000808b,
    0x0000000080000001,
    0x8000000080008081,
    0x8000000000008009,
    0x000000000000008a,
    0x0000000000000088,
    0x0000000080008009,
    0x000000008000000a,
    0x000000008000808b,
    0x800000000000008b,
    0x8000000000008089,
    0x8000000000008003,
    0x8000000000008002,
    0x8000000000000080,
    0x000000000000800a,
    0x800000008000000a,
    0x8000000080008081,
    0x8000000000008080,
    0x0000000080000001,
    0x8000000080008008,
];

/// The rotation offsets of ρ (FIPS 202 §3.2.2, Table 2), lane x + 5 y.
#[cfg(test)]
const RHO: [u32; 25] = [
    0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14,
];

/// One round (θ, ρ, π, χ, ι) from `$a` into `$e`, a row of five lanes at a time.
macro_rules! round {
    ($a:ident, $e:ident, $rc:expr) => {{
        // θ (§3.2.1)
        let c = [
            $a[0] ^ $a[5] ^ $a[10] ^ $a[15] ^ $a[20],
            $a[1] ^ $a[6] ^ $a[11] ^ $a[16] ^ $a[21],
            $a[2] ^ $a[7] ^ $a[12] ^ $a[17] ^ $a[22],
            $a[3] ^ $a[8] ^ $a[13] ^ $a[18] ^ $a[23],
            $a[4] ^ $a[9] ^ $a[14] ^ $a[19] ^ $a[24],
        ];
        let d = [
            c[4] ^ c[1].rotate_left(1),
            c[0] ^ c[2].rotate_left(1),
            c[1] ^ c[3].rotate_left(1),
            c[2] ^ c[4].rotate_left(1),
            c[3] ^ c[0].rotate_left(1),
        ];
        // ρ and π (§3.2.2, §3.2.3): B[x + 5y] = A[(x + 3y) mod 5, x] rotated
        // (Table 2), then χ (§3.2.4) on that row.
        {
            let b0 = ($a[0] ^ d[0]).rotate_left(0);
            let b1 = ($a[6] ^ d[1]).rotate_left(44);
            let b2 = ($a[12] ^ d[2]).rotate_left(43);
            let b3 = ($a[18] ^ d[3]).rotate_left(21);
            let b4 = ($a[24] ^ d[4]).rotate_left(14);
            $e[0] = b0 ^ (!b1 & b2);
            $e[1] = b1 ^ (!b2 & b3);
            $e[2] = b2 ^ (!b3 & b4);
            $e[3] = b3 ^ (!b4 & b0);
            $e[4] = b4 ^ (!b0 & b1);
        }
        {
            let b0 = ($a[3] ^ d[3]).rotate_left(28);
            let b1 = ($a[9] ^ d[4]).rotate_left(20);
            let b2 = ($a[10] ^ d[0]).rotate_left(3);
            let b3 = ($a[16] ^ d[1]).rotate_left(45);
            let b4 = ($a[22] ^ d[2]).rotate_left(61);
            $e[5] = b0 ^ (!b1 & b2);
            $e[6] = b1 ^ (!b2 & b3);
            $e[7] = b2 ^ (!b3 & b4);
            $e[8] = b3 ^ (!b4 & b0);
            $e[9] = b4 ^ (!b0 & b1);
        }
        {
            let b0 = ($a[1] ^ d[1]).rotate_left(1);
            let b1 = ($a[7] ^ d[2]).rotate_left(6);
            let b2 = ($a[13] ^ d[3]).rotate_left(25);
            let b3 = ($a[19] ^ d[4]).rotate_left(8);
            let b4 = ($a[20] ^ d[0]).rotate_left(18);
            $e[10] = b0 ^ (!b1 & b2);
            $e[11] = b1 ^ (!b2 & b3);
            $e[12] = b2 ^ (!b3 & b4);
            $e[13] = b3 ^ (!b4 & b0);
            $e[14] = b4 ^ (!b0 & b1);
        }
        {
            let b0 = ($a[4] ^ d[4]).rotate_left(27);
            let b1 = ($a[5] ^ d[0]).rotate_left(36);
            let b2 = ($a[11] ^ d[1]).rotate_left(10);
            let b3 = ($a[17] ^ d[2]).rotate_left(15);
            let b4 = ($a[23] ^ d[3]).rotate_left(56);
            $e[15] = b0 ^ (!b1 & b2);
            $e[16] = b1 ^ (!b2 & b3);
            $e[17] = b2 ^ (!b3 & b4);
            $e[18] = b3 ^ (!b4 & b0);
            $e[19] = b4 ^ (!b0 & b1);
        }
        {
            let b0 = ($a[2] ^ d[2]).rotate_left(62);
            let b1 = ($a[8] ^ d[3]).rotate_left(55);
            let b2 = ($a[14] ^ d[4]).rotate_left(39);
            let b3 = ($a[15] ^ d[0]).rotate_left(41);
            let b4 = ($a[21] ^ d[1]).rotate_left(2);
            $e[20] = b0 ^ (!b1 & b2);
            $e[21] = b1 ^ (!b2 & b3);
            $e[22] = b2 ^ (!b3 & b4);
            $e[23] = b3 ^ (!b4 & b0);
            $e[24] = b4 ^ (!b0 & b1);
        }
        // ι (§3.2.5)
        $e[0] ^= $rc;
    }};
}

/// Keccak-f[1600] (FIPS 202 §3.3): 24 rounds of θ, ρ, π, χ, ι on 25 lanes, lane
/// `x + 5 y` holding A[x, y, z] at bit z. Two rounds per step, from `a` into a
/// second state `e` and back.
pub(crate) fn keccak_f1600(a: &mut [u64; 25]) {
    #[cfg(target_arch = "x86_64")]
    {
        let f = crate::backend::Features::for_backend(crate::backend::Backend::auto());
        if crate::x86::keccak_bmi1::keccak_f1600(f, a) {
            return;
        }
    }
    keccak_rounds(a)
}

/// The body of [`keccak_f1600`] in portable code, also inlined into the copy
/// compiled with BMI1 (`andn` for χ, [`crate::x86::keccak_bmi1`]).
#[inline(always)]
pub(crate) fn keccak_rounds(a: &mut [u64; 25]) {
    let mut e = [0u64; 25];
    for rc in RC.chunks_exact(2) {
        round!(a, e, rc[0]);
        round!(e, a, rc[1]);
    }
}

/// The sponge of §4 over Keccak-f[1600] with rate `rate` bytes, absorbing bytes.
#[derive(Clone)]
struct Sponge {
    state: [u64; 25],
    rate: usize,
    /// Bytes of the current block absorbed (absorbing) or squeezed (squeezing).
    pos: usize,
}

impl Drop for Sponge {
    fn drop(&mut self) {
        self.state.zeroize();
    }
}

impl Sponge {
    fn new(rate: usize) -> Sponge {
        Sponge {
            state: [0; 25],
            rate,
            pos: 0,
        }
    }

    fn xor_byte(&mut self, i: usize, b: u8) {
        self.state[i / 8] ^= u64::from(b) << (8 * (i % 8));
    }

    fn byte(&self, i: usize) -> u8 {
        (self.state[i / 8] >> (8 * (i % 8))) as u8
    }

    fn absorb(&mut self, mut data: &[u8]) {
        // Whole lanes at a time when aligned, bytes otherwise.
        while !data.is_empty() {
            if self.pos == 0 && data.len() >= self.rate {
                let (block, rest) = data.split_at(self.rate);
                for (lane, w) in self.state.iter_mut().zip(block.chunks_exact(8)) {
                    *lane ^= u64::from_le_bytes(w.try_into().expect("8 bytes"));
                }
                keccak_f1600(&mut self.state);
                data = rest;
                continue;
            }
            let n = (self.rate - self.pos).min(data.len());
            for (i, &b) in data[..n].iter().enumerate() {
                self.xor_byte(self.pos + i, b);
            }
            self.pos += n;
            data = &data[n..];
            if self.pos == self.rate {
                keccak_f1600(&mut self.state);
                self.pos = 0;
            }
        }
    }

    /// Appends the domain bits (`suffix`, low bits first, with the first bit of
    /// pad10*1 above them: 0x06 for SHA-3's 01, 0x1f for SHAKE's 1111) and the final
    /// 1 of pad10*1 (§5.1, §6.1, §6.2), then permutes: ready to squeeze.
    fn finish(&mut self, suffix: u8) {
        self.xor_byte(self.pos, suffix);
        self.xor_byte(self.rate - 1, 0x80);
        keccak_f1600(&mut self.state);
        self.pos = 0;
    }

    fn squeeze(&mut self, out: &mut [u8]) {
        for o in out.iter_mut() {
            if self.pos == self.rate {
                keccak_f1600(&mut self.state);
                self.pos = 0;
            }
            *o = self.byte(self.pos);
            self.pos += 1;
        }
    }
}

macro_rules! sha3 {
    ($name:ident, $len:expr, $doc:expr) => {
        #[doc = $doc]
        #[derive(Clone)]
        pub struct $name {
            sponge: Sponge,
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl $name {
            /// Digest length in bytes.
            pub const OUTPUT_LEN: usize = $len;
            /// Rate in bytes: 200 - 2 * OUTPUT_LEN (FIPS 202 §6.1).
            pub const RATE: usize = 200 - 2 * $len;

            /// An empty hash.
            pub fn new() -> Self {
                $name {
                    sponge: Sponge::new(Self::RATE),
                }
            }

            /// Absorbs more message bytes.
            pub fn update(&mut self, data: &[u8]) {
                self.sponge.absorb(data);
            }

            /// Finishes: `SHA3(M) = KECCAK[c](M || 01, d)` (FIPS 202 §6.1).
            pub fn finalize(mut self) -> [u8; $len] {
                self.sponge.finish(0x06);
                let mut out = [0u8; $len];
                self.sponge.squeeze(&mut out);
                out
            }

            /// One-shot digest of `data`.
            pub fn digest(data: &[u8]) -> [u8; $len] {
                let mut h = Self::new();
                h.update(data);
                h.finalize()
            }
        }
    };
}

sha3!(Sha3_256, 32, "SHA3-256 (FIPS 202 §6.1).\n\n```\nuse handshake_crypto::Sha3_256;\nassert_eq!(Sha3_256::digest(b\"abc\")[..4], [0x3a, 0x98, 0x5d, 0xa7]);\n```");
sha3!(Sha3_384, 48, "SHA3-384 (FIPS 202 §6.1).");
sha3!(Sha3_512, 64, "SHA3-512 (FIPS 202 §6.1).");

macro_rules! shake {
    ($name:ident, $rate:expr, $doc:expr) => {
        #[doc = $doc]
        #[derive(Clone)]
        pub struct $name {
            sponge: Sponge,
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl $name {
            /// Rate in bytes (FIPS 202 §6.2).
            pub const RATE: usize = $rate;

            /// An empty XOF.
            pub fn new() -> Self {
                $name {
                    sponge: Sponge::new($rate),
                }
            }

            /// Absorbs more message bytes.
            pub fn update(&mut self, data: &[u8]) {
                self.sponge.absorb(data);
            }

            /// Ends absorbing (M || 1111, FIPS 202 §6.2) and returns a reader that
            /// squeezes any number of bytes, in pieces of any size.
            pub fn finalize_xof(mut self) -> XofReader {
                self.sponge.finish(0x1f);
                XofReader {
                    sponge: self.sponge.clone(),
                }
            }

            /// One-shot: the first `out.len()` bytes of the XOF of `data`.
            pub fn digest_into(data: &[u8], out: &mut [u8]) {
                let mut x = Self::new();
                x.update(data);
                x.finalize_xof().read(out);
            }
        }
    };
}

shake!(Shake128, 168, "SHAKE128 (FIPS 202 §6.2).\n\n```\nuse handshake_crypto::Shake128;\nlet mut x = Shake128::new();\nx.update(b\"abc\");\nlet mut r = x.finalize_xof();\nlet (mut a, mut b) = ([0u8; 3], [0u8; 5]);\nr.read(&mut a);\nr.read(&mut b);\nlet mut whole = [0u8; 8];\nShake128::digest_into(b\"abc\", &mut whole);\nassert_eq!([&a[..], &b[..]].concat(), whole);\nassert_eq!(whole[..4], [0x58, 0x81, 0x09, 0x2d]);\n```");
shake!(Shake256, 136, "SHAKE256 (FIPS 202 §6.2).");

/// The squeezing phase of SHAKE: each `read` continues where the last one stopped.
#[derive(Clone)]
pub struct XofReader {
    sponge: Sponge,
}

impl core::fmt::Debug for XofReader {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("XofReader").finish_non_exhaustive()
    }
}

impl XofReader {
    /// Fills `out` with the next bytes of output.
    pub fn read(&mut self, out: &mut [u8]) {
        self.sponge.squeeze(out);
    }
}

/// Four SHAKE sponges (FIPS 202 §6.2) stepped together, for ML-KEM's many short
/// XOF and PRF calls (FIPS 203 §4.1): each lane runs its own instance, with its
/// own rate (SHAKE128 or SHAKE256) and input, and one call of [`step`] absorbs
/// the next block of each absorbing lane, or moves each squeezing lane to its
/// next output block, with one four-way permutation. With AVX2 the four
/// permutations run as one ([`crate::x86::keccak_avx2`]); otherwise each busy
/// lane is permuted by the portable code.
///
/// [`step`]: SpongesX4::step
pub(crate) struct SpongesX4<'a> {
    /// Lane i of state s at `lanes[i][s]`.
    lanes: [[u64; 4]; 25],
    lane: [Lane<'a>; 4],
}

#[derive(Clone, Copy)]
struct Lane<'a> {
    /// The input, `parts[0] ‖ parts[1]`.
    parts: [&'a [u8]; 2],
    rate: usize,
    /// Input bytes absorbed so far.
    pos: usize,
    phase: Phase,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Idle,
    Absorbing,
    Squeezing,
}

impl Drop for SpongesX4<'_> {
    fn drop(&mut self) {
        self.lanes.zeroize();
    }
}

impl<'a> SpongesX4<'a> {
    /// Four idle lanes.
    pub(crate) fn new() -> Self {
        SpongesX4 {
            lanes: [[0; 4]; 25],
            lane: [Lane {
                parts: [&[], &[]],
                rate: Shake128::RATE,
                pos: 0,
                phase: Phase::Idle,
            }; 4],
        }
    }

    /// Starts SHAKE with `rate` (168: SHAKE128, 136: SHAKE256) of `a ‖ b` on
    /// lane `s`, from the zero state.
    pub(crate) fn start(&mut self, s: usize, rate: usize, a: &'a [u8], b: &'a [u8]) {
        debug_assert!(rate == Shake128::RATE || rate == Shake256::RATE);
        for l in self.lanes.iter_mut() {
            l[s] = 0;
        }
        self.lane[s] = Lane {
            parts: [a, b],
            rate,
            pos: 0,
            phase: Phase::Absorbing,
        };
    }

    /// Makes lane `s` idle.
    pub(crate) fn stop(&mut self, s: usize) {
        self.lane[s].phase = Phase::Idle;
    }

    /// True when lane `s` runs nothing.
    pub(crate) fn is_idle(&self, s: usize) -> bool {
        self.lane[s].phase == Phase::Idle
    }

    /// Absorbs the next block of each absorbing lane (the last one with
    /// M ‖ 1111 and pad10*1, FIPS 202 §6.2, §5.1), permutes the busy lanes, and
    /// says which lanes now have an output block to read with [`block`].
    ///
    /// [`block`]: SpongesX4::block
    pub(crate) fn step(&mut self) -> [bool; 4] {
        let mut ready = [false; 4];
        let mut buf = [0u8; 168];
        for s in 0..4 {
            let l = self.lane[s];
            match l.phase {
                Phase::Idle => continue,
                Phase::Squeezing => ready[s] = true,
                Phase::Absorbing => {
                    // The next block of a ‖ b, padded if it is the last one.
                    let [a, b] = l.parts;
                    let n = (a.len() + b.len() - l.pos).min(l.rate);
                    buf[..l.rate].fill(0);
                    let at_a = l.pos.min(a.len());
                    let from_a = (a.len() - at_a).min(n);
                    buf[..from_a].copy_from_slice(&a[at_a..at_a + from_a]);
                    let at_b = (l.pos + from_a).saturating_sub(a.len());
                    buf[from_a..n].copy_from_slice(&b[at_b..at_b + n - from_a]);
                    self.lane[s].pos += n;
                    if n < l.rate {
                        buf[n] ^= 0x1f;
                        buf[l.rate - 1] ^= 0x80;
                        self.lane[s].phase = Phase::Squeezing;
                        ready[s] = true;
                    }
                    for (lane, w) in self.lanes.iter_mut().zip(buf[..l.rate].chunks_exact(8)) {
                        lane[s] ^= u64::from_le_bytes(w.try_into().expect("8 bytes"));
                    }
                }
            }
        }
        crate::ct::wipe(&mut buf);
        self.permute();
        ready
    }

    fn permute(&mut self) {
        #[cfg(target_arch = "x86_64")]
        {
            let f = crate::backend::Features::for_backend(crate::backend::Backend::auto());
            if crate::x86::keccak_avx2::keccak_f1600_x4(f, &mut self.lanes) {
                return;
            }
        }
        for s in 0..4 {
            if self.lane[s].phase == Phase::Idle {
                continue;
            }
            let mut st = [0u64; 25];
            for (w, l) in st.iter_mut().zip(self.lanes.iter()) {
                *w = l[s];
            }
            keccak_f1600(&mut st);
            for (w, l) in st.iter().zip(self.lanes.iter_mut()) {
                l[s] = *w;
            }
            st.zeroize();
        }
    }

    /// The current output block of lane `s` into `out[..rate]`.
    pub(crate) fn block(&self, s: usize, out: &mut [u8; 168]) {
        let rate = self.lane[s].rate;
        for (w, chunk) in out[..rate].chunks_exact_mut(8).enumerate() {
            chunk.copy_from_slice(&self.lanes[w][s].to_le_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    /// The step mappings one by one, as FIPS 202 §3.2 writes them: the reference
    /// for the unrolled [`keccak_f1600`]. 24 rounds of θ, ρ, π, χ, ι on 25 lanes, lane
    /// `x + 5 y` holding A[x, y, z] at bit z.
    pub(super) fn keccak_reference(a: &mut [u64; 25]) {
        for rc in RC {
            // θ (§3.2.1)
            let mut c = [0u64; 5];
            for x in 0..5 {
                c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
            }
            for x in 0..5 {
                let d = c[(x + 4) % 5] ^ c[(x + 1) % 5].rotate_left(1);
                for y in 0..5 {
                    a[x + 5 * y] ^= d;
                }
            }
            // ρ and π (§3.2.2, §3.2.3): A'[x, y] = A[(x + 3y) mod 5, x], rotated.
            let mut b = [0u64; 25];
            for x in 0..5 {
                for y in 0..5 {
                    let src = (x + 3 * y) % 5 + 5 * x;
                    b[x + 5 * y] = a[src].rotate_left(RHO[src]);
                }
            }
            // χ (§3.2.4)
            for y in 0..5 {
                for x in 0..5 {
                    a[x + 5 * y] =
                        b[x + 5 * y] ^ (!b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y]);
                }
            }
            // ι (§3.2.5)
            a[0] ^= rc;
        }
    }

    #[test]
    fn unrolled_matches_reference() {
        let mut a = [0u64; 25];
        let mut b = [0u64; 25];
        for i in 0..50u64 {
            a[(i % 25) as usize] ^= i.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            b.copy_from_slice(&a);
            let mut c = a;
            keccak_f1600(&mut a);
            keccak_reference(&mut b);
            keccak_rounds(&mut c);
            assert_eq!(a, b, "step {i}");
            assert_eq!(c, b, "step {i}");
        }
    }

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    /// Expected values computed with Python's hashlib (an independent
    /// implementation): `hashlib.sha3_256(m).hexdigest()`, `shake_128(m).hexdigest(64)`.
    #[test]
    fn known_answers() {
        let a3 = [0xa3u8; 200];
        assert_eq!(
            Sha3_256::digest(b"").to_vec(),
            h("a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a")
        );
        assert_eq!(
            Sha3_256::digest(b"abc").to_vec(),
            h("3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532")
        );
        assert_eq!(
            Sha3_256::digest(&a3).to_vec(),
            h("79f38adec5c20307a98ef76e8324afbfd46cfd81b22e3973c65fa1bd9de31787")
        );
        assert_eq!(Sha3_384::digest(&a3).to_vec(), h("1881de2ca7e41ef95dc4732b8f5f002b189cc1e42b74168ed1732649ce1dbcdd76197a31fd55ee989f2d7050dd473e8f"));
        assert_eq!(Sha3_512::digest(b"abc").to_vec(), h("b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0"));
        let mut out = [0u8; 64];
        Shake128::digest_into(b"", &mut out);
        assert_eq!(out.to_vec(), h("7f9c2ba4e88f827d616045507605853ed73b8093f6efbc88eb1a6eacfa66ef263cb1eea988004b93103cfb0aeefd2a686e01fa4a58e8a3639ca8a1e3f9ae57e2"));
        Shake256::digest_into(&a3, &mut out);
        assert_eq!(out.to_vec(), h("cd8a920ed141aa0407a22d59288652e9d9f1a7ee0c1e7c1ca699424da84a904d2d700caae7396ece96604440577da4f3aa22aeb8857f961c4cd8e06f0ae6610b"));
    }

    #[test]
    fn splits_and_pieces_agree() {
        let msg: Vec<u8> = (0..700u32).map(|i| (i * 7 + 3) as u8).collect();
        let whole = Sha3_256::digest(&msg);
        for cut in [0usize, 1, 135, 136, 137, 300, 699, 700] {
            let mut s = Sha3_256::new();
            s.update(&msg[..cut]);
            s.update(&msg[cut..]);
            assert_eq!(s.finalize(), whole, "cut {cut}");
        }
        let mut all = [0u8; 500];
        Shake128::digest_into(&msg, &mut all);
        let mut x = Shake128::new();
        x.update(&msg);
        let mut r = x.finalize_xof();
        let mut got = Vec::new();
        for n in [1usize, 167, 1, 168, 100, 63] {
            let mut p = alloc::vec![0u8; n];
            r.read(&mut p);
            got.extend(p);
        }
        assert_eq!(got, all);
    }

    /// The four lanes against the one-way SHAKE: mixed rates, input lengths
    /// across block boundaries (0, rate - 1, rate, rate + 1, several blocks),
    /// several output blocks, lanes restarted while others run.
    #[test]
    fn sponges_x4_match_shake() {
        let msg: Vec<u8> = (0..1200u32).map(|i| (i * 13 + 1) as u8).collect();
        let lens = [0usize, 1, 33, 135, 136, 137, 167, 168, 169, 500, 1120];
        let mut jobs = Vec::new();
        for (i, &len) in lens.iter().enumerate() {
            for rate in [Shake128::RATE, Shake256::RATE] {
                jobs.push((rate, i % 7, len, 1 + (i + rate) % 4));
            }
        }
        let mut x = SpongesX4::new();
        let mut current: [Option<(usize, Vec<u8>)>; 4] = Default::default();
        let mut next = 0;
        loop {
            for (s, cur) in current.iter_mut().enumerate() {
                if cur.is_none() && next < jobs.len() {
                    let (rate, cut, len, _) = jobs[next];
                    let cut = cut.min(len);
                    x.start(s, rate, &msg[..cut], &msg[cut..len]);
                    assert!(!x.is_idle(s));
                    *cur = Some((next, Vec::new()));
                    next += 1;
                }
            }
            if current.iter().all(Option::is_none) {
                break;
            }
            let ready = x.step();
            for s in 0..4 {
                let Some((id, got)) = current[s].as_mut() else {
                    continue;
                };
                if !ready[s] {
                    continue;
                }
                let (rate, _, len, blocks) = jobs[*id];
                let mut out = [0u8; 168];
                x.block(s, &mut out);
                got.extend_from_slice(&out[..rate]);
                if got.len() == blocks * rate {
                    let mut want = alloc::vec![0u8; blocks * rate];
                    if rate == Shake128::RATE {
                        Shake128::digest_into(&msg[..len], &mut want);
                    } else {
                        Shake256::digest_into(&msg[..len], &mut want);
                    }
                    assert_eq!(*got, want, "rate {rate} len {len}");
                    x.stop(s);
                    assert!(x.is_idle(s));
                    current[s] = None;
                }
            }
        }
    }
}
