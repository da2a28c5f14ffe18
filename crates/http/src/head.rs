//! Zero-copy parsing of a message head into borrowed slices.
//!
//! [`parse_request`] and [`parse_response`] check the start line and every
//! field line against RFC 9112's grammar and the [`Limits`], and borrow the
//! method, target, reason, names and values from the input (httparse's
//! shape). They do not judge the fields' meaning: [`crate::framing`] does
//! (Host, Content-Length, Transfer-Encoding).

use crate::chars::{
    is_field_value, is_reason, is_target, is_token, name_len, target_len, token_len, value_len,
};
use crate::{Error, Limits, Version};

/// A field line borrowed from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HeaderRef<'b> {
    /// The field name (a token).
    pub name: &'b str,
    /// The field value, OWS trimmed.
    pub value: &'b [u8],
}

/// A request head borrowed from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestRef<'b, 'h> {
    /// The method token.
    pub method: &'b str,
    /// The request-target.
    pub target: &'b str,
    /// The version.
    pub version: Version,
    /// The field lines.
    pub headers: &'h [HeaderRef<'b>],
}

/// A response head borrowed from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseRef<'b, 'h> {
    /// The version.
    pub version: Version,
    /// The status code.
    pub status: u16,
    /// The reason phrase.
    pub reason: &'b str,
    /// The field lines.
    pub headers: &'h [HeaderRef<'b>],
}

/// A parse that may need more input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parsed<T> {
    /// The head, and how many octets of the input it took (through the empty line).
    Complete(T, usize),
    /// The input ends inside the head; no limit is exceeded yet.
    Partial,
}

/// One line of `buf` from `at`: the line without CRLF and the offset after it,
/// `Ok(None)` if no LF within `limit` octets yet, the limit's error beyond.
#[inline]
fn line(
    buf: &[u8],
    at: usize,
    limit: usize,
    too_long: Error,
) -> Result<Option<(&[u8], usize)>, Error> {
    let rest = &buf[at..];
    let window = &rest[..rest.len().min(limit + 2)];
    match memchr::memchr(b'\n', window) {
        Some(i) => {
            // RFC 9112 §2.2: lines end in CRLF; we do not take a bare LF.
            if i == 0 || rest[i - 1] != b'\r' {
                return Err(Error::BareLf);
            }
            if i - 1 > limit {
                return Err(too_long);
            }
            Ok(Some((&rest[..i - 1], at + i + 1)))
        }
        None if window.len() > limit + 1 => Err(too_long),
        None => Ok(None),
    }
}

fn version(v: &[u8]) -> Result<Version, Error> {
    // RFC 9112 §2.3: HTTP-version = HTTP-name "/" DIGIT "." DIGIT, case-sensitive.
    match v {
        [b'H', b'T', b'T', b'P', b'/', maj @ b'0'..=b'9', b'.', min @ b'0'..=b'9'] => {
            match (maj - b'0', min - b'0') {
                (1, 0) => Ok(Version::Http10),
                // RFC 9110 §2.5: a higher minor version is read as the highest we support.
                (1, _) => Ok(Version::Http11),
                (major, minor) => Err(Error::UnsupportedVersion { major, minor }),
            }
        }
        _ => Err(Error::InvalidVersion),
    }
}

fn bare_cr_or(line: &[u8], other: Error) -> Error {
    if line.contains(&b'\r') {
        Error::BareCr
    } else {
        other
    }
}

/// A view of the input as text, validated as UTF-8 a window at a time, so
/// that the names the parser hands out as `&str` cost one validation per
/// window, not one call per field. Windows start where a name does and only
/// move forward, so the work is linear in the head.
struct Text<'b> {
    buf: &'b [u8],
    /// Where `text` starts in `buf`.
    base: usize,
    /// The longest valid UTF-8 prefix of the current window.
    text: &'b str,
}

impl<'b> Text<'b> {
    /// Octets validated per window: a typical head in one.
    const WINDOW: usize = 1024;

    fn new(buf: &'b [u8]) -> Text<'b> {
        Text {
            buf,
            base: 0,
            text: "",
        }
    }

    /// `buf[a..b]` as text if the window holds it and it is UTF-8.
    #[inline(always)]
    fn peek(&self, a: usize, b: usize) -> Option<&'b str> {
        let (head, _) = self.text.split_at_checked(b.checked_sub(self.base)?)?;
        Some(head.split_at_checked(a.checked_sub(self.base)?)?.1)
    }

    /// `buf[a..b]` as text, if it is UTF-8 (a token always is).
    #[inline(always)]
    fn get(&mut self, a: usize, b: usize) -> Option<&'b str> {
        if a < self.base || b > self.base + self.text.len() {
            self.move_to(a, b);
        }
        self.peek(a, b)
    }

    /// Starts the window at `a`, long enough for `buf[a..b]`.
    #[inline(never)]
    fn move_to(&mut self, a: usize, b: usize) {
        let window = &self.buf[a..self.buf.len().min(a + Self::WINDOW.max(b - a))];
        self.base = a;
        self.text = match core::str::from_utf8(window) {
            Ok(text) => text,
            Err(e) => core::str::from_utf8(&window[..e.valid_up_to()]).unwrap_or_default(),
        };
    }
}

/// A well-formed, complete field line at `at` no longer than `limit`: its
/// name's length, its value with OWS trimmed, and the offset after its CRLF, found in
/// one pass. `None` for anything else (the empty line, a line still
/// arriving, any error), which [`fields`] then judges octet by octet, so
/// the errors and their order are the careful path's alone.
#[inline(always)]
fn field_line(buf: &[u8], at: usize, limit: usize) -> Option<(usize, &[u8], usize)> {
    let line = buf.get(at..)?;
    // The window keeps the line within the limit: a CRLF inside it starts
    // at most `limit` octets after `at`.
    let line = &line[..line.len().min(limit.saturating_add(2))];
    let colon = name_len(line)?;
    if colon == 0 {
        return None;
    }
    let mut rest = &line[colon + 1..];
    // OWS: mostly one SP, seldom more.
    if let [b' ', r @ ..] = rest {
        rest = r;
    }
    if let [b' ' | b'\t', ..] = rest {
        rest = trim_start(rest);
    }
    let (mut value, rest) = rest.split_at(value_len(rest));
    let [b'\r', b'\n', ..] = rest else {
        return None;
    };
    if let [.., b' ' | b'\t'] = value {
        value = trim_end(value);
    }
    Some((colon, value, at + line.len() - rest.len() + 2))
}

/// `s` without its leading OWS.
#[inline(never)]
fn trim_start(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    s
}

/// `s` without its trailing OWS.
#[inline(never)]
fn trim_end(mut s: &[u8]) -> &[u8] {
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// One line of a header or trailer section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FieldLine<'b> {
    /// A field line: its name and its value with OWS trimmed.
    Field(&'b str, &'b [u8]),
    /// The empty line that ends the section.
    End,
}

/// The line at `at`, judged octet by octet: the reference every fast path
/// agrees with, and the one that names each error. `first` says the line
/// directly follows a start line; `start` is where the head began.
fn checked_field_line<'b>(
    buf: &'b [u8],
    at: usize,
    start: usize,
    limits: &Limits,
    first: bool,
) -> Result<Parsed<FieldLine<'b>>, Error> {
    let head_too_large = Error::HeadTooLarge {
        limit: limits.max_head_bytes,
    };
    let Some((l, next)) = line(
        buf,
        at,
        limits.max_field_size,
        Error::FieldTooLarge {
            limit: limits.max_field_size,
        },
    )?
    else {
        if buf.len() - start > limits.max_head_bytes {
            return Err(head_too_large);
        }
        return Ok(Parsed::Partial);
    };
    if next - start > limits.max_head_bytes {
        return Err(head_too_large);
    }
    if l.is_empty() {
        return Ok(Parsed::Complete(FieldLine::End, next));
    }
    if matches!(l[0], b' ' | b'\t') {
        return Err(if first {
            // RFC 9112 §2.2: MUST reject or ignore; we reject.
            Error::WhitespaceAfterStartLine
        } else {
            // RFC 9112 §5.2: a server MUST reject obs-fold in a request (400).
            Error::ObsFold
        });
    }
    let mut i = 0;
    while i < l.len() && is_token(l[i]) {
        i += 1;
    }
    match l.get(i) {
        Some(b':') if i > 0 => {}
        // RFC 9112 §5.1: no whitespace between name and colon; MUST reject (400).
        Some(b' ' | b'\t') if i > 0 => return Err(Error::WhitespaceBeforeColon),
        None => return Err(Error::MissingColon),
        Some(_) => return Err(bare_cr_or(l, Error::InvalidFieldName)),
    }
    let name = &l[..i];
    let mut v = &l[i + 1..];
    // RFC 9112 §5.1: OWS before and after the value is not part of it.
    while let [b' ' | b'\t', rest @ ..] = v {
        v = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = v {
        v = rest;
    }
    if !v.iter().all(|&b| is_field_value(b)) {
        // RFC 9110 §5.5, RFC 9112 §2.2: CR, LF, NUL and other CTLs are invalid.
        return Err(bare_cr_or(v, Error::InvalidFieldValue));
    }
    // A token is ASCII.
    let name = core::str::from_utf8(name).map_err(|_| Error::InvalidFieldName)?;
    Ok(Parsed::Complete(FieldLine::Field(name, v), next))
}

/// Parses field lines from `at` up to and including the empty line,
/// filling `headers`. `start` is where the section began, for the size limit.
pub(crate) fn fields<'b>(
    buf: &'b [u8],
    at: usize,
    start: usize,
    headers: &mut [HeaderRef<'b>],
    limits: &Limits,
    after_start_line: bool,
) -> Result<Parsed<usize>, Error> {
    fields_in(
        buf,
        &mut Text::new(buf),
        at,
        start,
        headers,
        limits,
        after_start_line,
    )
}

/// [`fields`], with names taken from `text` (the view the start line used).
#[inline(always)]
fn fields_in<'b>(
    buf: &'b [u8],
    text: &mut Text<'b>,
    mut at: usize,
    start: usize,
    headers: &mut [HeaderRef<'b>],
    limits: &Limits,
    after_start_line: bool,
) -> Result<Parsed<usize>, Error> {
    let max_count = limits.max_headers.min(headers.len());
    // Lines found within `head` end within the head size limit.
    let head = &buf[..buf.len().min(start.saturating_add(limits.max_head_bytes))];
    let mut n = 0;
    loop {
        // The common case, with no call on the way: well-formed field lines
        // whose names the text view already holds.
        while n < max_count {
            let Some((colon, value, next)) = field_line(head, at, limits.max_field_size) else {
                break;
            };
            let Some(name) = text.peek(at, at + colon) else {
                break;
            };
            headers[n] = HeaderRef { name, value };
            n += 1;
            at = next;
        }
        let (line, next) = if head.get(at..).unwrap_or_default().starts_with(b"\r\n") {
            // The empty line, as the careful path takes it.
            (FieldLine::End, at + 2)
        } else {
            // A line the loop left: one whose name is past the text
            // window (the window moves), or any other, judged carefully.
            let fast = field_line(head, at, limits.max_field_size)
                .and_then(|(colon, value, next)| Some((text.get(at, at + colon)?, value, next)));
            match fast {
                Some((name, value, next)) => (FieldLine::Field(name, value), next),
                None => {
                    match checked_field_line(buf, at, start, limits, n == 0 && after_start_line)? {
                        Parsed::Complete(line, next) => (line, next),
                        Parsed::Partial => return Ok(Parsed::Partial),
                    }
                }
            }
        };
        at = next;
        let FieldLine::Field(name, value) = line else {
            return Ok(Parsed::Complete(n, at));
        };
        if n == max_count {
            return Err(Error::TooManyHeaders { limit: max_count });
        }
        headers[n] = HeaderRef { name, value };
        n += 1;
    }
}

/// The line at `at` when it holds no CTL but HTAB and ends in CRLF within
/// `limit`, found in one pass: what [`line`] finds for such a line, `None`
/// for any other, which [`line`] then judges.
#[inline]
fn text_line(buf: &[u8], at: usize, limit: usize) -> Option<(&[u8], usize)> {
    let line = buf.get(at..)?;
    let line = &line[..line.len().min(limit.saturating_add(2))];
    let (text, rest) = line.split_at(value_len(line));
    let [b'\r', b'\n', ..] = rest else {
        return None;
    };
    Some((text, at + text.len() + 2))
}

/// A request line's method, target and version, and the offset after it.
type RequestLine<'b> = (&'b str, &'b str, Version, usize);

/// A well-formed, complete request line at `at` no longer than `limit`:
/// method, target, version and the offset after its CRLF, in one pass;
/// `None` for anything else, which [`parse_request`] judges octet by octet.
#[inline(always)]
fn request_line<'b>(
    buf: &'b [u8],
    text: &mut Text<'b>,
    at: usize,
    limit: usize,
) -> Option<RequestLine<'b>> {
    let line = buf.get(at..)?;
    let line = &line[..line.len().min(limit.saturating_add(2))];
    let sp = token_len(line);
    let [b' ', rest @ ..] = &line[sp..] else {
        return None;
    };
    let target = target_len(rest);
    // The version ends within the limit: at most `limit` octets before CRLF.
    let [b' ', word @ .., b'\r', b'\n'] = rest.get(target..target + 11)? else {
        return None;
    };
    if sp == 0 || target == 0 || sp + target + 10 > limit {
        return None;
    }
    Some((
        text.get(at, at + sp)?,
        text.get(at + sp + 1, at + sp + 1 + target)?,
        version(word).ok()?,
        at + sp + target + 12,
    ))
}

/// Parses a request head from the start of `buf` into borrowed slices.
///
/// Empty lines before the request line are skipped (RFC 9112 §2.2: a server
/// SHOULD ignore at least one). At most `min(headers.len(), limits.max_headers)`
/// field lines are taken.
pub fn parse_request<'b, 'h>(
    buf: &'b [u8],
    headers: &'h mut [HeaderRef<'b>],
    limits: &Limits,
) -> Result<Parsed<RequestRef<'b, 'h>>, Error> {
    let mut at = 0;
    while buf[at..].starts_with(b"\r\n") {
        at += 2;
    }
    if buf.len() > at && buf[at] == b'\n' {
        return Err(Error::BareLf);
    }
    let start = at;
    let mut text = Text::new(buf);
    let Some((method, target, version, next)) =
        request_line(buf, &mut text, at, limits.max_start_line)
            .map_or_else(|| checked_request_line(buf, at, limits), |l| Ok(Some(l)))?
    else {
        return Ok(Parsed::Partial);
    };
    Ok(
        match fields_in(buf, &mut text, next, start, headers, limits, true)? {
            Parsed::Partial => Parsed::Partial,
            Parsed::Complete(n, end) => Parsed::Complete(
                RequestRef {
                    method,
                    target,
                    version,
                    headers: &headers[..n],
                },
                end,
            ),
        },
    )
}

/// The request line at `at`, judged octet by octet (the reference
/// [`request_line`] agrees with): `None` while it is still arriving.
fn checked_request_line<'b>(
    buf: &'b [u8],
    at: usize,
    limits: &Limits,
) -> Result<Option<RequestLine<'b>>, Error> {
    let Some((l, next)) = line(
        buf,
        at,
        limits.max_start_line,
        Error::StartLineTooLong {
            limit: limits.max_start_line,
        },
    )?
    else {
        return Ok(None);
    };
    // RFC 9112 §3: request-line = method SP request-target SP HTTP-version.
    let mut parts = l.splitn(3, |&b| b == b' ');
    let (Some(m), Some(t), Some(v)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bare_cr_or(l, Error::InvalidRequestLine));
    };
    if m.is_empty() || !m.iter().all(|&b| is_token(b)) {
        return Err(bare_cr_or(m, Error::InvalidMethod));
    }
    if t.is_empty() || !t.iter().all(|&b| is_target(b)) {
        return Err(bare_cr_or(t, Error::InvalidTarget));
    }
    let version = version(v).map_err(|e| if v.contains(&b'\r') { Error::BareCr } else { e })?;
    Ok(Some((
        // Tokens and VCHAR are ASCII.
        core::str::from_utf8(m).map_err(|_| Error::InvalidMethod)?,
        core::str::from_utf8(t).map_err(|_| Error::InvalidTarget)?,
        version,
        next,
    )))
}

/// Parses a response head from the start of `buf` into borrowed slices.
///
/// The reason phrase is taken as UTF-8 where it is; obs-text that is not
/// UTF-8 leaves it empty (a client ignores it, RFC 9112 §4).
pub fn parse_response<'b, 'h>(
    buf: &'b [u8],
    headers: &'h mut [HeaderRef<'b>],
    limits: &Limits,
) -> Result<Parsed<ResponseRef<'b, 'h>>, Error> {
    if buf.first() == Some(&b'\n') {
        return Err(Error::BareLf);
    }
    // The status line's end in one pass when it holds no CTL but HTAB (the
    // reason's whole class), else octet by octet.
    let Some((l, next)) = text_line(buf, 0, limits.max_start_line).map_or_else(
        || {
            line(
                buf,
                0,
                limits.max_start_line,
                Error::StartLineTooLong {
                    limit: limits.max_start_line,
                },
            )
        },
        |found| Ok(Some(found)),
    )?
    else {
        return Ok(Parsed::Partial);
    };
    // RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ].
    if l.len() < 12 || l[8] != b' ' {
        return Err(bare_cr_or(
            l,
            if l.len() >= 8 && version(&l[..8]).is_err() {
                Error::InvalidVersion
            } else {
                Error::InvalidStatus
            },
        ));
    }
    let version = version(&l[..8])?;
    let code = &l[9..12];
    if !code.iter().all(u8::is_ascii_digit) {
        return Err(Error::InvalidStatus);
    }
    let status = code.iter().fold(0u16, |a, &d| a * 10 + u16::from(d - b'0'));
    // RFC 9110 §15: values outside 100..599 are invalid.
    if !(100..=599).contains(&status) {
        return Err(Error::InvalidStatus);
    }
    let reason = match &l[12..] {
        // The SP before an empty reason is often left out; accepted.
        [] => &[][..],
        [b' ', r @ ..] => r,
        _ => return Err(bare_cr_or(l, Error::InvalidStatus)),
    };
    if !reason.iter().all(|&b| is_reason(b)) {
        return Err(bare_cr_or(reason, Error::InvalidReason));
    }
    // The reason ends the line, which starts at 0.
    let mut text = Text::new(buf);
    let reason = text.get(l.len() - reason.len(), l.len()).unwrap_or("");
    match fields_in(buf, &mut text, next, 0, headers, limits, true)? {
        Parsed::Partial => Ok(Parsed::Partial),
        Parsed::Complete(n, end) => Ok(Parsed::Complete(
            ResponseRef {
                version,
                status,
                reason,
                headers: &headers[..n],
            },
            end,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    use proptest::prelude::*;

    /// Line ends, right and wrong.
    const ENDS: &[&[u8]] = &[b"\r\n", b"\r\n", b"\r\n", b"\n", b"\r", b""];

    /// Octets that matter to the grammar, and some that do not.
    const ALPHABET: &[u8] = b"aZ09-_.:; \t\r\n\x00\x7f\x80\xff\"/";

    fn noise() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(prop::sample::select(ALPHABET), 0..60)
    }

    /// A line that is often well-formed: name, colon, OWS, value, OWS,
    /// CRLF, each part drawn from the alphabet or its own class.
    fn field() -> impl Strategy<Value = Vec<u8>> {
        (
            "[A-Za-z0-9!#$%&'*+.^_`|~-]{0,30}",
            prop::sample::select(&b": ;"[..]),
            "[ \t]{0,3}",
            prop::collection::vec(prop_oneof![8 => 0x20u8..0x7f, 1 => Just(b'\t'), 1 => 0x80u8..=0xff, 1 => any::<u8>()], 0..90),
            "[ \t]{0,3}",
            prop::sample::select(ENDS),
            noise(),
        )
            .prop_map(|(name, colon, ows, value, ows2, end, rest)| {
                let mut l = name.into_bytes();
                l.push(colon);
                l.extend_from_slice(ows.as_bytes());
                l.extend(value);
                l.extend_from_slice(ows2.as_bytes());
                l.extend_from_slice(end);
                l.extend(rest);
                l
            })
    }

    /// Where the first CRLF is, or the length: a limit about it shows an off-by-one.
    fn line_length(buf: &[u8]) -> usize {
        buf.windows(2)
            .position(|w| w == b"\r\n")
            .unwrap_or(buf.len())
    }

    fn limits(limit: usize) -> Limits {
        Limits {
            max_start_line: limit,
            max_field_size: limit,
            ..Limits::default()
        }
    }

    proptest! {
        // Enough cases to meet each off-by-one a few times.
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// The one-pass field line is the checked one whenever it answers.
        #[test]
        fn fast_field_line_agrees(buf in prop_oneof![3 => field(), 1 => noise()], slack in -2isize..3) {
            let limit = line_length(&buf).saturating_add_signed(slack);
            let fast = field_line(&buf, 0, limit);
            let checked = checked_field_line(&buf, 0, 0, &limits(limit), false);
            if let Some((colon, value, next)) = fast {
                let name = Text::new(&buf).get(0, colon);
                prop_assert!(name.is_some());
                prop_assert_eq!(checked, Ok(Parsed::Complete(FieldLine::Field(name.unwrap_or_default(), value), next)));
            }
        }

        /// The one-pass request line is the checked one whenever it answers.
        #[test]
        fn fast_request_line_agrees(
            method in "[A-Z]{0,7}",
            sep in prop::sample::select(&[" ", " ", " ", "  ", "\t", ""][..]),
            target in prop::collection::vec(prop_oneof![30 => 0x21u8..0x7f, 1 => any::<u8>()], 0..40),
            version in prop::sample::select(&["HTTP/1.1", "HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.", "http/1.1", "HTTP/1.1 "][..]),
            end in prop::sample::select(ENDS),
            slack in -2isize..3,
        ) {
            let mut buf = method.into_bytes();
            buf.extend_from_slice(sep.as_bytes());
            buf.extend(target);
            buf.push(b' ');
            buf.extend_from_slice(version.as_bytes());
            // A limit about the line's length, where an off-by-one would show.
            let limit = buf.len().saturating_add_signed(slack);
            buf.extend_from_slice(end);
            if let Some(fast) = request_line(&buf, &mut Text::new(&buf), 0, limit) {
                prop_assert_eq!(checked_request_line(&buf, 0, &limits(limit)), Ok(Some(fast)));
            }
        }

        /// The text view gives what `from_utf8` gives for any non-empty range,
        /// whether its window holds the range or has to move.
        #[test]
        fn text_view_is_from_utf8(
            buf in prop::collection::vec(prop_oneof![4 => 0x20u8..0x7f, 1 => 0x80u8..=0xff, 1 => any::<u8>()], 1..80),
            ranges in prop::collection::vec((any::<prop::sample::Index>(), 1usize..20), 1..8),
        ) {
            let mut text = Text::new(&buf);
            for (a, len) in ranges {
                let a = a.index(buf.len());
                let b = (a + len).min(buf.len());
                if a < b {
                    prop_assert_eq!(text.get(a, b), core::str::from_utf8(&buf[a..b]).ok(), "{}..{}", a, b);
                }
            }
        }

        /// The one-pass line end is the octet-by-octet one whenever it answers.
        #[test]
        fn text_line_agrees(buf in prop_oneof![3 => field(), 1 => noise()], slack in -2isize..3) {
            let limit = line_length(&buf).saturating_add_signed(slack);
            if let Some(fast) = text_line(&buf, 0, limit) {
                prop_assert_eq!(line(&buf, 0, limit, Error::InvalidStatus), Ok(Some(fast)));
            }
        }
    }

    /// A head limit below the start line's length (RFC 9112 §2.3 leaves the
    /// limit to us; ours counts from the start line): the lines after the
    /// start line are past it, and they are refused as too large, not read
    /// out of bounds.
    #[test]
    fn head_limit_below_the_start_line() {
        let limits = Limits {
            max_head_bytes: 8,
            ..Limits::default()
        };
        let mut h = [HeaderRef::default(); 4];
        for head in [
            &b"GET /abcdef HTTP/1.1\r\nHost: a\r\n\r\n"[..],
            b"GET /abcdef HTTP/1.1\r\n\r\n",
        ] {
            assert_eq!(
                parse_request(head, &mut h, &limits),
                Err(Error::HeadTooLarge { limit: 8 })
            );
        }
    }

    /// Names past the first text window, and values with obs-text that stop
    /// a window early, still come back whole.
    #[test]
    fn names_across_text_windows() {
        let mut head = b"HTTP/1.1 200 OK\r\n".to_vec();
        for i in 0..60 {
            head.extend_from_slice(alloc::format!("X-Field-{i}: ").as_bytes());
            head.extend(core::iter::repeat_n(
                if i % 7 == 3 { 0xff } else { b'v' },
                40 + i,
            ));
            head.extend_from_slice(b"\r\n");
        }
        head.extend_from_slice(b"\r\n");
        let mut h = [HeaderRef::default(); 64];
        let Ok(Parsed::Complete(r, n)) = parse_response(&head, &mut h, &Limits::default()) else {
            panic!("not parsed");
        };
        assert_eq!(n, head.len());
        assert_eq!(r.headers.len(), 60);
        for (i, f) in r.headers.iter().enumerate() {
            assert_eq!(f.name, alloc::format!("X-Field-{i}"));
            assert_eq!(f.value.len(), 40 + i);
        }
    }
}
