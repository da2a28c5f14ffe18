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
// the runs (names, field values, request-targets) where a byte loop is the
// parser's cost. Each mask flags, in an octet's top bit, the octets outside
// a class. The masks are exact in every octet: they work on the low seven
// bits `t` of each octet, where adding at most 0x7f to a value below 0x80
// never carries into the next octet, and take the top bit (obs-text) from
// the octet itself.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Octets `>= n` (1 <= n <= 0x80) among the 7-bit values `t`.
#[inline(always)]
const fn at_least(t: u64, n: u8) -> u64 {
    t.wrapping_add(ONES * (0x80 - n) as u64) & HIGH
}

/// Octets that may end a field value (RFC 9110 §5.5: field-vchar is VCHAR
/// or obs-text, and SP and HTAB are allowed inside): CTLs and DEL. HTAB is
/// flagged too, and [`value_len`] steps over it (it is rare in values).
#[inline(always)]
const fn ends_value(x: u64) -> u64 {
    // t + 1 maps DEL to 0x80 and CTLs to 1..=0x20; taken mod 0x80, the
    // octets that end a value are those below 0x21.
    let t = ((x & !HIGH) + ONES) & !HIGH;
    !at_least(t, 0x21) & !x & HIGH
}

/// Octets that end a request-target: anything but VCHAR (RFC 9112 §3.2).
#[inline(always)]
const fn ends_target(x: u64) -> u64 {
    let t = x & !HIGH;
    (!at_least(t, 0x21) | at_least(t, 0x7f) | x) & HIGH
}

/// Octets other than an ASCII letter or `-`: the octets of nearly every
/// field name. The rest of tchar (digits among them) is rarer there and
/// left to the table.
#[inline(always)]
const fn ends_name(x: u64) -> u64 {
    let t = x & !HIGH;
    let folded = t | (ONES * 0x20);
    let letter = at_least(folded, b'a') & !at_least(folded, b'z' + 1);
    let dash = !at_least(t ^ (ONES * b'-' as u64), 1);
    (!(letter | dash) | x) & HIGH
}

/// The octet of the lowest flag of `m` (not 0), found by tests rather than
/// by counting zeros: a count makes the next scan's start wait for this
/// one's words, a tested branch lets the processor go on at the predicted
/// place (a parser's runs are chained: the value starts where the name
/// ends, the next line where the value ends).
#[inline(always)]
fn lowest(m: u64) -> usize {
    if m & 0x80 != 0 {
        0
    } else if m & 0x8000 != 0 {
        1
    } else if m & 0x0080_0000 != 0 {
        2
    } else if m & 0x8000_0000 != 0 {
        3
    } else if m & 0x0080_0000_0000 != 0 {
        4
    } else if m & 0x8000_0000_0000 != 0 {
        5
    } else if m & 0x0080_0000_0000_0000 != 0 {
        6
    } else {
        7
    }
}

/// The index of the first octet of `s` that `stop` flags, or its length;
/// `one` is `stop` for a single octet, for the last < 8.
#[inline(always)]
fn run(s: &[u8], stop: impl Fn(u64) -> u64, one: impl Fn(u8) -> bool) -> usize {
    let mut rest = s;
    while let Some((word, tail)) = rest.split_first_chunk::<8>() {
        let m = stop(u64::from_le_bytes(*word));
        if m != 0 {
            return s.len() - rest.len() + lowest(m);
        }
        rest = tail;
    }
    s.len() - rest.len() + rest.iter().position(|&b| one(b)).unwrap_or(rest.len())
}

/// The length of the run of field-value octets (HTAB included) at the start
/// of `s`: the index of its first CTL other than HTAB, or DEL, or its length.
#[inline(always)]
pub(crate) fn value_len(s: &[u8]) -> usize {
    let mut n = 0;
    loop {
        n += run(&s[n..], ends_value, |b| b != b'\t' && !is_field_value(b));
        match s.get(n) {
            Some(b'\t') => n += 1,
            _ => return n,
        }
    }
}

/// The length of the run of request-target octets (VCHAR) at the start of `s`.
#[inline(always)]
pub(crate) fn target_len(s: &[u8]) -> usize {
    run(s, ends_target, |b| !is_target(b))
}

/// The length of the run of token octets at the start of `s`.
#[inline]
pub(crate) fn token_len(s: &[u8]) -> usize {
    s.iter().position(|&b| !is_token(b)).unwrap_or(s.len())
}

/// The length of the field name that starts `s` when a colon follows it:
/// the index of the first colon in `s` if every octet before it is a token
/// octet, else `None`. Letters and `-` are passed eight at a time; the
/// octet that stops a word is the colon, or a rarer token octet to step
/// over, or the end.
#[inline(always)]
pub(crate) fn name_len(s: &[u8]) -> Option<usize> {
    let mut n = 0;
    loop {
        n += run(&s[n..], ends_name, |b| {
            !(b.is_ascii_alphabetic() || b == b'-')
        });
        match *s.get(n)? {
            b':' => return Some(n),
            b if is_token(b) => n += 1,
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    use proptest::prelude::*;

    // The classes as RFC 9110 §5.6.2, §5.5 and RFC 9112 §3.2 write them,
    // octet by octet: the reference the tables and the word scans meet.

    fn rfc_tchar(b: u8) -> bool {
        b"!#$%&'*+-.^_`|~".contains(&b) || b.is_ascii_digit() || b.is_ascii_alphabetic()
    }

    fn rfc_vchar(b: u8) -> bool {
        (0x21..=0x7e).contains(&b)
    }

    fn rfc_field_value(b: u8) -> bool {
        b == b' ' || b == b'\t' || rfc_vchar(b) || b >= 0x80
    }

    fn reference(s: &[u8], ok: fn(u8) -> bool) -> usize {
        s.iter().position(|&b| !ok(b)).unwrap_or(s.len())
    }

    #[test]
    fn tables_are_the_rfc_classes() {
        for b in 0..=255u8 {
            assert_eq!(is_token(b), rfc_tchar(b), "{b:#x}");
            assert_eq!(is_target(b), rfc_vchar(b), "{b:#x}");
            assert_eq!(is_field_value(b), rfc_field_value(b), "{b:#x}");
            assert_eq!(is_reason(b), rfc_field_value(b), "{b:#x}");
        }
    }

    /// Every octet value at every position of a 24-octet run: the scans
    /// stop where a byte-by-byte walk of the RFC's classes stops.
    #[test]
    fn word_scans_agree_with_the_classes() {
        for bad in 0..=255u8 {
            for pos in 0..24 {
                for fill in [b'a', b'Z', b'0', b'-', b'_', 0x80, 0xff, b' ', b'\t'] {
                    let mut buf = [fill; 24];
                    buf[pos] = bad;
                    assert_eq!(
                        value_len(&buf),
                        reference(&buf, rfc_field_value),
                        "value {bad:#x} at {pos} in {fill:#x}"
                    );
                    assert_eq!(
                        token_len(&buf),
                        reference(&buf, rfc_tchar),
                        "token {bad:#x} at {pos} in {fill:#x}"
                    );
                    assert_eq!(
                        target_len(&buf),
                        reference(&buf, rfc_vchar),
                        "target {bad:#x} at {pos} in {fill:#x}"
                    );
                }
            }
        }
    }

    /// Octets that sit on the classes' edges, and common ones.
    fn octet() -> impl Strategy<Value = u8> {
        prop_oneof![
            4 => prop::sample::select(&b"aZ09-_.:; \t\r\n/\"(){}"[..]),
            1 => prop::sample::select(&[0x00, 0x08, 0x09, 0x0a, 0x1f, 0x20, 0x21, 0x7e, 0x7f, 0x80, 0xff][..]),
            2 => any::<u8>(),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        /// Over arbitrary octets and every length from 0 to 63, so that each
        /// word step and each tail length is met: the scans are the RFC's
        /// classes walked octet by octet.
        #[test]
        fn scans_are_the_classes(s in prop::collection::vec(octet(), 0..64)) {
            prop_assert_eq!(value_len(&s), reference(&s, rfc_field_value));
            prop_assert_eq!(target_len(&s), reference(&s, rfc_vchar));
            prop_assert_eq!(token_len(&s), reference(&s, rfc_tchar));
        }

        /// Runs that are mostly in the class, so the scans cross words.
        #[test]
        fn long_runs_are_the_classes(
            fill in prop::sample::select(&b"aZ0-_.! \t\x80\xff~"[..]),
            len in 0usize..64,
            stops in prop::collection::vec((0usize..64, any::<u8>()), 0..3),
        ) {
            let mut s: Vec<u8> = alloc::vec![fill; len];
            for (at, b) in stops {
                if at < len {
                    s[at] = b;
                }
            }
            prop_assert_eq!(value_len(&s), reference(&s, rfc_field_value));
            prop_assert_eq!(target_len(&s), reference(&s, rfc_vchar));
            prop_assert_eq!(token_len(&s), reference(&s, rfc_tchar));
        }
    }
}
