//! Zero-copy parsing of a message head into borrowed slices.
//!
//! [`parse_request`] and [`parse_response`] check the start line and every
//! field line against RFC 9112's grammar and the [`Limits`], and borrow the
//! method, target, reason, names and values from the input (httparse's
//! shape). They do not judge the fields' meaning: [`crate::framing`] does
//! (Host, Content-Length, Transfer-Encoding).

use crate::chars::{is_field_value, is_reason, is_target, is_token};
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

/// Parses field lines from `at` up to and including the empty line,
/// filling `headers`. `start` is where the section began, for the size limit.
pub(crate) fn fields<'b>(
    buf: &'b [u8],
    mut at: usize,
    start: usize,
    headers: &mut [HeaderRef<'b>],
    limits: &Limits,
    after_start_line: bool,
) -> Result<Parsed<usize>, Error> {
    let max_count = limits.max_headers.min(headers.len());
    let mut n = 0;
    loop {
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
                return Err(Error::HeadTooLarge {
                    limit: limits.max_head_bytes,
                });
            }
            return Ok(Parsed::Partial);
        };
        if next - start > limits.max_head_bytes {
            return Err(Error::HeadTooLarge {
                limit: limits.max_head_bytes,
            });
        }
        at = next;
        if l.is_empty() {
            return Ok(Parsed::Complete(n, at));
        }
        if matches!(l[0], b' ' | b'\t') {
            return Err(if n == 0 && after_start_line {
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
        if n == max_count {
            return Err(Error::TooManyHeaders { limit: max_count });
        }
        headers[n] = HeaderRef {
            // A token is ASCII.
            name: core::str::from_utf8(name).map_err(|_| Error::InvalidFieldName)?,
            value: v,
        };
        n += 1;
    }
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
    let Some((l, next)) = line(
        buf,
        at,
        limits.max_start_line,
        Error::StartLineTooLong {
            limit: limits.max_start_line,
        },
    )?
    else {
        return Ok(Parsed::Partial);
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
    match fields(buf, next, start, headers, limits, true)? {
        Parsed::Partial => Ok(Parsed::Partial),
        Parsed::Complete(n, end) => Ok(Parsed::Complete(
            RequestRef {
                // Tokens and VCHAR are ASCII.
                method: core::str::from_utf8(m).map_err(|_| Error::InvalidMethod)?,
                target: core::str::from_utf8(t).map_err(|_| Error::InvalidTarget)?,
                version,
                headers: &headers[..n],
            },
            end,
        )),
    }
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
    let Some((l, next)) = line(
        buf,
        0,
        limits.max_start_line,
        Error::StartLineTooLong {
            limit: limits.max_start_line,
        },
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
    match fields(buf, next, 0, headers, limits, true)? {
        Parsed::Partial => Ok(Parsed::Partial),
        Parsed::Complete(n, end) => Ok(Parsed::Complete(
            ResponseRef {
                version,
                status,
                reason: core::str::from_utf8(reason).unwrap_or(""),
                headers: &headers[..n],
            },
            end,
        )),
    }
}
