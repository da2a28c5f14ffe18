//! Keccak-f[1600] (FIPS 202 §3.3) for one state, the portable code compiled with
//! BMI1 so that χ's `!b & c` is one `andn` (about 13% faster).

use crate::backend::Features;

/// Keccak-f[1600] on `a`; false, with `a` untouched, when `f` lacks BMI1.
/// `Features` comes only from detection (or is [`Features::portable`]), so this
/// safe function never runs BMI1 on a CPU without it.
#[inline]
pub(crate) fn keccak_f1600(f: Features, a: &mut [u64; 25]) -> bool {
    if !f.bmi1() {
        return false;
    }
    // SAFETY: BMI1 was detected (`f.bmi1()`, and `Features` is only built by
    // detection).
    unsafe { permute(a) };
    true
}

#[target_feature(enable = "bmi1")]
fn permute(a: &mut [u64; 25]) {
    crate::sha3::keccak_rounds(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_portable() {
        let mut a = [0u64; 25];
        assert!(!keccak_f1600(Features::portable(), &mut a));
        assert_eq!(a, [0; 25]);
        if !Features::detected().bmi1() {
            return;
        }
        for i in 0..40u64 {
            a[(i * 7 % 25) as usize] ^= i.wrapping_mul(0xd6e8_feb8_6659_fd93) | 1;
            let mut b = a;
            assert!(keccak_f1600(Features::detected(), &mut a));
            crate::sha3::keccak_rounds(&mut b);
            assert_eq!(a, b, "step {i}");
        }
    }
}
