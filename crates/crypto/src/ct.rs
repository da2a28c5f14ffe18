//! Constant-time helpers: comparisons and masks whose timing does not depend on data.

/// Compares two byte strings in time that depends only on their lengths.
///
/// Returns `false` at once when the lengths differ (lengths are public); otherwise
/// it looks at every byte whatever it finds, so a MAC or tag check leaks nothing
/// about where the first difference is.
///
/// ```
/// use handshake_crypto::ct_eq;
/// assert!(ct_eq(b"tag!", b"tag!"));
/// assert!(!ct_eq(b"tag!", b"tag?"));
/// ```
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut diff = 0u8;
    for (x, y) in a.iter().zip(b) {
        diff |= x ^ y;
    }
    ct_is_zero_u32(u32::from(core::hint::black_box(diff))) == u32::MAX
}

/// Overwrites a temporary (keystream, message schedule, padded block) with zeros: a
/// plain, vectorizable fill that `black_box` keeps the compiler from dropping as a
/// dead store. `zeroize`'s element-by-element volatile writes cost hundreds of
/// cycles on a 512-byte buffer, which small records would pay every time; key
/// material in long-lived structures still uses `zeroize` on drop.
#[inline]
pub(crate) fn wipe<T: Copy + Default>(buf: &mut [T]) {
    buf.fill(T::default());
    core::hint::black_box(buf);
}

/// All ones when `x == 0`, else zero, without a branch.
#[inline]
pub(crate) fn ct_is_zero_u32(x: u32) -> u32 {
    // (x | -x) has its top bit set exactly when x != 0.
    let nz = (x | x.wrapping_neg()) >> 31;
    nz.wrapping_sub(1)
}

/// All ones when `a < b` (unsigned), else zero, without a branch.
#[inline]
pub(crate) fn ct_lt_u32(a: u32, b: u32) -> u32 {
    // Borrow of a - b, computed on 64 bits.
    let d = u64::from(a).wrapping_sub(u64::from(b));
    0u32.wrapping_sub((d >> 63) as u32)
}

/// All ones when `a == b`, else zero.
#[inline]
pub(crate) fn ct_eq_u32(a: u32, b: u32) -> u32 {
    ct_is_zero_u32(a ^ b)
}

/// All ones when `a == b` (equal lengths, which are public), else zero: every
/// byte is looked at, and the result is a mask for [`ct_select_bytes`], not a
/// `bool` the compiler could branch on.
pub(crate) fn ct_eq_mask(a: &[u8], b: &[u8]) -> u32 {
    debug_assert_eq!(a.len(), b.len());
    let mut diff = 0u8;
    for (x, y) in a.iter().zip(b) {
        diff |= x ^ y;
    }
    ct_is_zero_u32(u32::from(core::hint::black_box(diff)))
}

/// `out = a` where `mask` is all ones, `out = b` where it is zero, byte by byte
/// with masks only.
pub(crate) fn ct_select_bytes(mask: u32, a: &[u8], b: &[u8], out: &mut [u8]) {
    let m = core::hint::black_box(mask) as u8;
    for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
        *o = (x & m) | (y & !m);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(ct_is_zero_u32(0), u32::MAX);
        assert_eq!(ct_is_zero_u32(1), 0);
        assert_eq!(ct_is_zero_u32(0x8000_0000), 0);
        assert_eq!(ct_lt_u32(3, 4), u32::MAX);
        assert_eq!(ct_lt_u32(4, 4), 0);
        assert_eq!(ct_lt_u32(0, u32::MAX), u32::MAX);
        assert_eq!(ct_lt_u32(u32::MAX, 0), 0);
        assert_eq!(ct_eq_u32(9, 9), u32::MAX);
        assert_eq!(ct_eq_u32(9, 8), 0);
    }

    #[test]
    fn eq_mask_and_select() {
        let a = [1u8, 2, 3];
        let b = [9u8, 8, 7];
        assert_eq!(ct_eq_mask(&a, &a), u32::MAX);
        assert_eq!(ct_eq_mask(&a, &[1, 2, 4]), 0);
        let mut out = [0u8; 3];
        ct_select_bytes(u32::MAX, &a, &b, &mut out);
        assert_eq!(out, a);
        ct_select_bytes(0, &a, &b, &mut out);
        assert_eq!(out, b);
    }

    #[test]
    fn eq() {
        assert!(ct_eq(b"", b""));
        assert!(ct_eq(&[0u8; 33], &[0u8; 33]));
        assert!(!ct_eq(b"a", b"ab"));
        for i in 0..32 {
            let a = [0x5au8; 32];
            let mut b = a;
            b[i] ^= 0x80;
            assert!(!ct_eq(&a, &b));
        }
    }
}
