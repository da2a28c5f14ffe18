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

// Block scanning: sixteen octets per step in safe code, for the runs
// (names, field values, request-targets) where a byte loop is the parser's
// cost. Each step tests a fixed block of 16 octets against a class written
// as comparisons only (no table: a lookup per octet cannot be done 16 at a
// time), which the compiler turns into vector compares (SSE2 on x86-64,
// NEON on AArch64, word arithmetic elsewhere), and turns the answers into
// one 128-bit flag word whose lowest set octet is the first octet outside
// the class.

/// Octets that end a field value (RFC 9110 §5.5): CTLs but HTAB, and DEL.
/// field-vchar is VCHAR or obs-text; SP and HTAB are allowed inside.
#[inline(always)]
const fn ends_value(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b == 0x7f
}

/// Octets that end a request-target: anything but VCHAR (RFC 9112 §3.2).
#[inline(always)]
const fn ends_target(b: u8) -> bool {
    b.wrapping_sub(0x21) >= 0x7f - 0x21
}

/// Octets other than an ASCII letter, digit or `-`: the octets of nearly
/// every field name. The rest of tchar is rare there and left to the table.
#[inline(always)]
const fn ends_name(b: u8) -> bool {
    let letter = (b | 0x20).wrapping_sub(b'a') < 26;
    let digit = b.wrapping_sub(b'0') < 10;
    !(letter || digit || b == b'-')
}

/// The flags of a block: octet `i` of the result is 0xff where `stop`
/// holds for `block[i]`, else 0.
#[inline(always)]
fn flags(block: &[u8; 16], stop: impl Fn(u8) -> bool) -> u128 {
    let mut f = [0u8; 16];
    for (f, &b) in f.iter_mut().zip(block) {
        *f = 0u8.wrapping_sub(u8::from(stop(b)));
    }
    u128::from_le_bytes(f)
}

/// The index of the first octet of `s` for which `stop` holds, or its length.
#[inline(always)]
fn run(s: &[u8], stop: impl Fn(u8) -> bool + Copy) -> usize {
    let mut rest = s;
    while let Some((block, tail)) = rest.split_first_chunk::<16>() {
        let f = flags(block, stop);
        if f != 0 {
            return s.len() - rest.len() + (f.trailing_zeros() / 8) as usize;
        }
        rest = tail;
    }
    if rest.is_empty() {
        return s.len();
    }
    // Fewer than 16 octets left: the last 16 of `s` when it has them (the
    // ones before `rest` are known not to stop), else octet by octet.
    match s.last_chunk::<16>() {
        Some(block) => s.len() - 16 + (flags(block, stop).trailing_zeros() / 8) as usize,
        None => s.len() - rest.len() + rest.iter().position(|&b| stop(b)).unwrap_or(rest.len()),
    }
}

/// The length of the run of field-value octets (HTAB included) at the start
/// of `s`: the index of its first CTL other than HTAB, or DEL, or its length.
#[inline(always)]
pub(crate) fn value_len(s: &[u8]) -> usize {
    run(s, ends_value)
}

/// The length of the run of request-target octets (VCHAR) at the start of `s`.
#[inline(always)]
pub(crate) fn target_len(s: &[u8]) -> usize {
    run(s, ends_target)
}

/// The length of the run of token octets at the start of `s`.
#[inline]
pub(crate) fn token_len(s: &[u8]) -> usize {
    s.iter().position(|&b| !is_token(b)).unwrap_or(s.len())
}

/// The length of the field name that starts `s` when a colon follows it:
/// the index of the first colon in `s` if every octet before it is a token
/// octet, else `None`. Letters, digits and `-` are passed 16 at a time;
/// the octet that stops a block is the colon, or a rarer token octet to
/// step over, or the end.
#[inline(always)]
pub(crate) fn name_len(s: &[u8]) -> Option<usize> {
    let mut n = 0;
    loop {
        n += run(&s[n..], ends_name);
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
