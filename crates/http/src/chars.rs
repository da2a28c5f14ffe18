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
