//! Character classes of RFC 9110 §5.6.2 and RFC 9112, as lookup tables.

macro_rules! table {
    ($f:ident) => {{
        let mut t = [false; 256];
        let mut i = 0;
        while i < 256 {
            t[i] = $f(i as u8);
            i += 1;
        }
        t
    }};
}

/// tchar (RFC 9110 §5.6.2).
const fn tchar(b: u8) -> bool {
    matches!(
        b,
        b'!' | b'#'
            | b'$'
            | b'%'
            | b'&'
            | b'\''
            | b'*'
            | b'+'
            | b'-'
            | b'.'
            | b'^'
            | b'_'
            | b'`'
            | b'|'
            | b'~'
    ) || b.is_ascii_alphanumeric()
}

/// field-vchar, SP and HTAB (RFC 9110 §5.5): VCHAR, obs-text, SP, HTAB.
const fn value_char(b: u8) -> bool {
    b == b'\t' || (b >= 0x20 && b != 0x7f)
}

/// A request-target character: VCHAR (RFC 9112 §3.2; RFC 3986 allows a subset).
const fn target_char(b: u8) -> bool {
    b >= 0x21 && b <= 0x7e
}

static TOKEN: [bool; 256] = table!(tchar);
static VALUE: [bool; 256] = table!(value_char);
static TARGET: [bool; 256] = table!(target_char);

#[inline]
pub(crate) fn is_token(b: u8) -> bool {
    TOKEN[b as usize]
}

#[inline]
pub(crate) fn is_field_value(b: u8) -> bool {
    VALUE[b as usize]
}

#[inline]
pub(crate) fn is_target(b: u8) -> bool {
    TARGET[b as usize]
}

/// reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ) (RFC 9112 §4).
#[inline]
pub(crate) fn is_reason(b: u8) -> bool {
    VALUE[b as usize]
}

// Word-at-a-time scanning (SWAR): eight octets per step in safe code, for
// the long runs (field values, request-targets) where a byte loop is the
// parser's cost. Each mask flags, in an octet's top bit, octets outside
// the class. Subtraction borrows only carry upward, so a flag can be wrong
// only above a true one: the lowest flag, the first octet scanned in
// little-endian order, is exact, and only it is used.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Octets below `n` (n <= 0x80), among those below 0x80.
#[inline(always)]
const fn below(x: u64, n: u8) -> u64 {
    x.wrapping_sub(ONES * n as u64) & !x & HIGH
}

/// Octets equal to `n`.
#[inline(always)]
const fn equal(x: u64, n: u8) -> u64 {
    below(x ^ (ONES * n as u64), 1)
}

/// Octets that are not field-vchar or SP: CTLs (HTAB among them, which the
/// caller steps over) and DEL.
#[inline(always)]
const fn not_value(x: u64) -> u64 {
    below(x, 0x20) | equal(x, 0x7f)
}

/// Octets that are not VCHAR.
#[inline(always)]
const fn not_target(x: u64) -> u64 {
    below(x, 0x21) | equal(x, 0x7f) | (x & HIGH)
}

/// The first index in `buf[at..end]` whose octet `class` flags, or `end`.
#[inline(always)]
fn scan(buf: &[u8], mut at: usize, end: usize, class: fn(u64) -> u64, ok: fn(u8) -> bool) -> usize {
    while at + 8 <= end {
        let Ok(word) = <[u8; 8]>::try_from(&buf[at..at + 8]) else {
            break;
        };
        let m = class(u64::from_le_bytes(word));
        if m != 0 {
            return at + (m.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    while at < end && ok(buf[at]) {
        at += 1;
    }
    at
}

/// The end of a run of field-value octets (HTAB included) in `buf[at..end]`:
/// the index of the first CTL other than HTAB, or DEL, or `end`.
#[inline]
pub(crate) fn scan_value(buf: &[u8], mut at: usize, end: usize) -> usize {
    loop {
        at = scan(buf, at, end, not_value, |b| b >= 0x20 && b != 0x7f);
        if at < end && buf[at] == b'\t' {
            at += 1;
        } else {
            return at;
        }
    }
}

/// The end of a run of request-target octets (VCHAR) in `buf[at..end]`.
#[inline]
pub(crate) fn scan_target(buf: &[u8], at: usize, end: usize) -> usize {
    scan(buf, at, end, not_target, is_target)
}

/// Octets `>= n` (1 <= n <= 0x80) among the 7-bit values `t`: exact in
/// every octet, as no sum carries out of one.
#[inline(always)]
const fn at_least(t: u64, n: u8) -> u64 {
    t.wrapping_add(ONES * (0x80 - n) as u64) & HIGH
}

/// Octets that are not an ASCII letter, digit or `-`: the octets of nearly
/// every field name, checked eight at a time; the rest of tchar is rare
/// there and left to the table.
#[inline(always)]
const fn not_name(x: u64) -> u64 {
    let t = x & !HIGH;
    let folded = t | (ONES * 0x20);
    let alpha = at_least(folded, b'a') & !at_least(folded, b'z' + 1);
    let digit = at_least(t, b'0') & !at_least(t, b'9' + 1);
    let dash = at_least(t, b'-') & !at_least(t, b'-' + 1);
    (!(alpha | digit | dash) | x) & HIGH
}

/// The end of a run of token octets in `buf[at..end]`.
#[inline]
pub(crate) fn scan_token(buf: &[u8], mut at: usize, end: usize) -> usize {
    loop {
        at = scan(buf, at, end, not_name, |b| {
            b.is_ascii_alphanumeric() || b == b'-'
        });
        // A name ends at its colon: the one octet tested before the table.
        if at < end && buf[at] != b':' && is_token(buf[at]) {
            at += 1;
        } else {
            return at;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every octet value at every position of a 24-octet run: the scans
    /// stop where a byte-by-byte walk of the class tables stops.
    #[test]
    fn word_scans_agree_with_the_tables() {
        for bad in 0..=255u8 {
            for pos in 0..24 {
                for fill in [b'a', b'Z', b'0', b'-', b'_', 0x80, 0xff, b' ', b'\t'] {
                    let mut buf = [fill; 24];
                    buf[pos] = bad;
                    let by_table =
                        |ok: fn(u8) -> bool| buf.iter().position(|&b| !ok(b)).unwrap_or(24);
                    assert_eq!(
                        scan_value(&buf, 0, 24),
                        by_table(is_field_value),
                        "value {bad:#x} at {pos} in {fill:#x}"
                    );
                    if is_token(fill) {
                        assert_eq!(
                            scan_token(&buf, 0, 24),
                            by_table(is_token),
                            "token {bad:#x} at {pos}"
                        );
                    }
                    if is_target(fill) {
                        assert_eq!(
                            scan_target(&buf, 0, 24),
                            by_table(is_target),
                            "target {bad:#x} at {pos}"
                        );
                    }
                }
            }
        }
    }
}
