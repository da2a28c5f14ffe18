//! Message body length (RFC 9112 §6.3), Host (§3.2) and persistence (§9.3).

use crate::{Error, Method, Version};

/// How a message's body is delimited (RFC 9112 §6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// No body (a request with neither field; a response to HEAD; 1xx, 204, 304).
    None,
    /// Exactly this many octets (Content-Length).
    Length(u64),
    /// The chunked transfer coding (RFC 9112 §7.1).
    Chunked,
    /// Every octet until the connection closes (a response with neither field).
    UntilClose,
    /// The connection leaves HTTP: 101 Switching Protocols, or a 2xx answer to CONNECT.
    Tunnel,
}

fn trim(v: &[u8]) -> &[u8] {
    let mut v = v;
    while let [b' ' | b'\t', r @ ..] = v {
        v = r;
    }
    while let [r @ .., b' ' | b'\t'] = v {
        v = r;
    }
    v
}

/// The comma-separated elements of every `name` field line, trimmed, empty elements skipped
/// (RFC 9110 §5.6.1: a recipient MUST accept and ignore empty list elements).
fn list<'a, I>(fields: I, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a
where
    I: Iterator<Item = (&'a str, &'a [u8])> + 'a,
{
    fields
        .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
        .flat_map(|(_, v)| v.split(|&b| b == b','))
        .map(trim)
        .filter(|e| !e.is_empty())
}

/// Content-Length: `None` if absent; one value if every element of every
/// line is the same 1*DIGIT (RFC 9112 §6.3 item 5 lets a recipient accept a
/// list of identical values; we do, as hyper and curl do).
fn content_length<'a, I>(fields: I) -> Result<Option<u64>, Error>
where
    I: Iterator<Item = (&'a str, &'a [u8])> + Clone + 'a,
{
    let mut found: Option<u64> = None;
    let mut any = false;
    for (n, v) in fields {
        if !n.eq_ignore_ascii_case("content-length") {
            continue;
        }
        any = true;
        for e in v.split(|&b| b == b',') {
            let e = trim(e);
            // RFC 9110 §8.6: Content-Length = 1*DIGIT.
            if e.is_empty() || !e.iter().all(u8::is_ascii_digit) {
                return Err(Error::InvalidContentLength);
            }
            let n = e
                .iter()
                .try_fold(0u64, |a, &d| {
                    a.checked_mul(10)?.checked_add(u64::from(d - b'0'))
                })
                .ok_or(Error::InvalidContentLength)?;
            match found {
                // RFC 9112 §6.3 item 5: differing values are unrecoverable.
                Some(f) if f != n => return Err(Error::ConflictingContentLength),
                _ => found = Some(n),
            }
        }
    }
    if any && found.is_none() {
        return Err(Error::InvalidContentLength);
    }
    Ok(found)
}

/// Transfer-Encoding: `None` if absent, else whether the final coding is
/// chunked. Only chunked is decoded: another coding in a request is
/// [`Error::UnsupportedTransferCoding`] (501) once chunked is final.
fn transfer_encoding<'a, I>(fields: I, request: bool) -> Result<Option<bool>, Error>
where
    I: Iterator<Item = (&'a str, &'a [u8])> + Clone + 'a,
{
    if !fields
        .clone()
        .any(|(n, _)| n.eq_ignore_ascii_case("transfer-encoding"))
    {
        return Ok(None);
    }
    let mut count = 0;
    let mut chunked = 0;
    let mut other = false;
    let mut last_chunked = false;
    for e in list(fields, "transfer-encoding") {
        count += 1;
        // transfer-coding = token *( OWS ";" OWS transfer-parameter ); chunked has none.
        let is_chunked = e.eq_ignore_ascii_case(b"chunked");
        if is_chunked {
            chunked += 1;
        } else {
            other = true;
        }
        last_chunked = is_chunked;
    }
    if count == 0 {
        return Err(Error::InvalidTransferEncoding);
    }
    if !last_chunked {
        // RFC 9112 §6.3 item 4: in a request the length cannot be determined,
        // 400; in a response the body runs until close.
        return if request {
            Err(Error::ChunkedNotFinal)
        } else {
            Ok(Some(false))
        };
    }
    // RFC 9112 §6.1: a sender MUST NOT apply chunked more than once.
    if chunked > 1 {
        return Err(Error::ChunkedTwice);
    }
    if other {
        return Err(Error::UnsupportedTransferCoding);
    }
    Ok(Some(true))
}

/// Host: RFC 9112 §3.2 — an HTTP/1.1 request MUST have exactly one, and a
/// server MUST answer 400 to none (in 1.1), to more than one, or to an invalid value.
pub fn check_host<'a, I>(version: Version, fields: I) -> Result<(), Error>
where
    I: Iterator<Item = (&'a str, &'a [u8])> + Clone + 'a,
{
    let mut hosts = fields.filter(|(n, _)| n.eq_ignore_ascii_case("host"));
    match (hosts.next(), hosts.next()) {
        (None, _) if version == Version::Http11 => Err(Error::MissingHost),
        (None, _) => Ok(()),
        (Some(_), Some(_)) => Err(Error::MultipleHost),
        (Some((_, v)), None) => {
            if valid_host(v) {
                Ok(())
            } else {
                Err(Error::InvalidHost)
            }
        }
    }
}

/// Host = uri-host [ ":" port ] (RFC 9110 §7.2), uri-host from RFC 3986 §3.2.2
/// (IP-literal, IPv4address or reg-name); empty when the target has no authority.
fn valid_host(v: &[u8]) -> bool {
    let (host, port) = if v.first() == Some(&b'[') {
        let Some(end) = v.iter().position(|&b| b == b']') else {
            return false;
        };
        let lit = &v[1..end];
        if lit.is_empty()
            || !lit.iter().all(|&b| {
                b.is_ascii_hexdigit()
                    || b":.vV-_~!$&'()*+,;=".contains(&b)
                    || b.is_ascii_alphanumeric()
            })
        {
            return false;
        }
        match &v[end + 1..] {
            [] => return true,
            [b':', p @ ..] => (&[][..], Some(p)),
            _ => return false,
        }
    } else {
        match v.iter().rposition(|&b| b == b':') {
            Some(i) => (&v[..i], Some(&v[i + 1..])),
            None => (v, None),
        }
    };
    let reg_name = host
        .iter()
        .all(|&b| b.is_ascii_alphanumeric() || b"-._~%!$&'()*+,;=".contains(&b));
    reg_name && port.is_none_or(|p| p.iter().all(u8::is_ascii_digit))
}

/// The body framing of a request (RFC 9112 §6.3 items 3, 4, 6, 7).
pub fn request_framing<'a, I>(version: Version, fields: I) -> Result<Framing, Error>
where
    I: Iterator<Item = (&'a str, &'a [u8])> + Clone + 'a,
{
    let te = transfer_encoding(fields.clone(), true)?;
    if te.is_some() && version == Version::Http10 {
        // RFC 9112 §6.1: treat as faulty framing.
        return Err(Error::TransferEncodingInHttp10);
    }
    let has_cl = fields
        .clone()
        .any(|(n, _)| n.eq_ignore_ascii_case("content-length"));
    match te {
        // RFC 9112 §6.1, §6.3 item 3: both present is a smuggling attempt; we reject.
        Some(_) if has_cl => Err(Error::TransferEncodingWithContentLength),
        Some(_) => Ok(Framing::Chunked),
        None => Ok(match content_length(fields)? {
            Some(0) | None => Framing::None,
            Some(n) => Framing::Length(n),
        }),
    }
}

/// The body framing of a response to a request with `method` (RFC 9112 §6.3 items 1-8).
pub fn response_framing<'a, I>(
    method: &Method,
    status: u16,
    version: Version,
    fields: I,
) -> Result<Framing, Error>
where
    I: Iterator<Item = (&'a str, &'a [u8])> + Clone + 'a,
{
    // RFC 9112 §6.3 item 2 (and RFC 9110 §15.2.2): the connection leaves HTTP.
    if status == 101 || (*method == Method::Connect && (200..300).contains(&status)) {
        return Ok(Framing::Tunnel);
    }
    // RFC 9112 §6.3 item 1: no body after HEAD, and for 1xx, 204, 304.
    if *method == Method::Head || (100..200).contains(&status) || status == 204 || status == 304 {
        return Ok(Framing::None);
    }
    match transfer_encoding(fields.clone(), false)? {
        Some(_) if version == Version::Http10 => Err(Error::TransferEncodingInHttp10),
        // RFC 9112 §6.3 item 3: Transfer-Encoding overrides Content-Length.
        Some(true) => Ok(Framing::Chunked),
        // RFC 9112 §6.3 item 4: not chunked last: until the server closes.
        Some(false) => Ok(Framing::UntilClose),
        None => Ok(match content_length(fields)? {
            Some(0) => Framing::None,
            Some(n) => Framing::Length(n),
            // RFC 9112 §6.3 item 8.
            None => Framing::UntilClose,
        }),
    }
}

/// Whether the connection persists after this message (RFC 9112 §9.3):
/// not if Connection has `close`; in HTTP/1.1 otherwise; in HTTP/1.0 only
/// with `keep-alive`. A message with both Transfer-Encoding and
/// Content-Length closes it too (RFC 9112 §6.1).
pub fn keep_alive<'a, I>(version: Version, fields: I) -> bool
where
    I: Iterator<Item = (&'a str, &'a [u8])> + Clone + 'a,
{
    let mut close = false;
    let mut keep = false;
    for e in list(fields.clone(), "connection") {
        close |= e.eq_ignore_ascii_case(b"close");
        keep |= e.eq_ignore_ascii_case(b"keep-alive");
    }
    let te = fields
        .clone()
        .any(|(n, _)| n.eq_ignore_ascii_case("transfer-encoding"));
    let cl = fields
        .clone()
        .any(|(n, _)| n.eq_ignore_ascii_case("content-length"));
    if close || (te && cl) {
        return false;
    }
    match version {
        Version::Http11 => true,
        Version::Http10 => keep,
    }
}
