//! Owned message heads: methods, versions, header fields.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use crate::chars::{is_field_value, is_reason, is_target, is_token};
use crate::Error;

/// The HTTP version of a message: HTTP/1.0 or HTTP/1.1 (RFC 9112 §2.3).
///
/// A message that says HTTP/1.2..HTTP/1.9 is read as HTTP/1.1 (RFC 9110
/// §2.5: a recipient treats a higher minor version as the highest it
/// supports); other major versions are [`Error::UnsupportedVersion`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Version {
    /// HTTP/1.0 (RFC 1945).
    Http10,
    /// HTTP/1.1 (RFC 9112).
    Http11,
}

impl Version {
    /// `HTTP/1.0` or `HTTP/1.1`.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::Http10 => "HTTP/1.0",
            Version::Http11 => "HTTP/1.1",
        }
    }
}

/// A request method (RFC 9110 §9): a case-sensitive token.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// GET (RFC 9110 §9.3.1).
    Get,
    /// HEAD (RFC 9110 §9.3.2): its response has no body.
    Head,
    /// POST (RFC 9110 §9.3.3).
    Post,
    /// PUT (RFC 9110 §9.3.4).
    Put,
    /// DELETE (RFC 9110 §9.3.5).
    Delete,
    /// CONNECT (RFC 9110 §9.3.6): a 2xx response starts a tunnel.
    Connect,
    /// OPTIONS (RFC 9110 §9.3.7).
    Options,
    /// TRACE (RFC 9110 §9.3.8).
    Trace,
    /// PATCH (RFC 5789).
    Patch,
    /// Any other token.
    Other(String),
}

impl Method {
    /// The method a token names; `None` when `s` is not a token (RFC 9110 §9.1).
    pub fn from_token(s: &str) -> Option<Method> {
        // RFC 9110 §9.1: the method token is case-sensitive.
        Some(match s {
            "GET" => Method::Get,
            "HEAD" => Method::Head,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "DELETE" => Method::Delete,
            "CONNECT" => Method::Connect,
            "OPTIONS" => Method::Options,
            "TRACE" => Method::Trace,
            "PATCH" => Method::Patch,
            _ if !s.is_empty() && s.bytes().all(is_token) => Method::Other(s.to_string()),
            _ => return None,
        })
    }

    /// The token.
    pub fn as_str(&self) -> &str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
            Method::Connect => "CONNECT",
            Method::Options => "OPTIONS",
            Method::Trace => "TRACE",
            Method::Patch => "PATCH",
            Method::Other(s) => s,
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One field line: a name (a token, kept as received) and a value (OWS
/// trimmed; bytes, since obs-text is allowed, RFC 9110 §5.5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Field {
    /// The field name as received (compare with [`str::eq_ignore_ascii_case`], RFC 9110 §5.1).
    pub name: String,
    /// The field value, without leading and trailing whitespace.
    pub value: Vec<u8>,
}

/// A header or trailer section: field lines in order, names compared
/// case-insensitively (RFC 9110 §5.1), repeated names kept (§5.3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Headers {
    fields: Vec<Field>,
}

impl Headers {
    /// An empty section.
    pub fn new() -> Headers {
        Headers::default()
    }

    /// Appends a field line.
    pub fn append(&mut self, name: impl Into<String>, value: impl Into<Vec<u8>>) -> &mut Self {
        self.fields.push(Field {
            name: name.into(),
            value: value.into(),
        });
        self
    }

    /// The value of the first field line named `name`.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
            .map(|f| f.value.as_slice())
    }

    /// The values of every field line named `name`, in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.fields
            .iter()
            .filter(move |f| f.name.eq_ignore_ascii_case(name))
            .map(|f| f.value.as_slice())
    }

    /// Whether a field line named `name` is present.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Removes every field line named `name`.
    pub fn remove(&mut self, name: &str) {
        self.fields.retain(|f| !f.name.eq_ignore_ascii_case(name));
    }

    /// The field lines in order.
    pub fn iter(&self) -> core::slice::Iter<'_, Field> {
        self.fields.iter()
    }

    /// How many field lines.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// No field lines.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    pub(crate) fn pairs(&self) -> impl Iterator<Item = (&str, &[u8])> + Clone {
        self.fields
            .iter()
            .map(|f| (f.name.as_str(), f.value.as_slice()))
    }

    /// Checks every field can be sent and read back as written.
    pub(crate) fn check_emit(&self) -> Result<(), Error> {
        for f in &self.fields {
            if f.name.is_empty() || !f.name.bytes().all(is_token) {
                return Err(Error::InvalidToEmit(
                    "field name is not a token (RFC 9110 §5.1)",
                ));
            }
            // RFC 9110 §5.5: no CR, LF or NUL; leading or trailing whitespace
            // would be trimmed by the recipient.
            if !f.value.iter().all(|&b| is_field_value(b))
                || f.value.first().is_some_and(|b| matches!(b, b' ' | b'\t'))
                || f.value.last().is_some_and(|b| matches!(b, b' ' | b'\t'))
            {
                return Err(Error::InvalidToEmit(
                    "field value with a control character or edge whitespace (RFC 9110 §5.5)",
                ));
            }
        }
        // RFC 9112 §6.1: "A sender MUST NOT send a Content-Length header
        // field in any message that contains a Transfer-Encoding header
        // field."
        if self.contains("transfer-encoding") && self.contains("content-length") {
            return Err(Error::InvalidToEmit(
                "Content-Length with Transfer-Encoding (RFC 9112 §6.1)",
            ));
        }
        Ok(())
    }
}

impl<'a> IntoIterator for &'a Headers {
    type Item = &'a Field;
    type IntoIter = core::slice::Iter<'a, Field>;
    fn into_iter(self) -> Self::IntoIter {
        self.fields.iter()
    }
}

/// A request head: request line and header section (RFC 9112 §3, §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// The request-target as received (origin-, absolute-, authority- or asterisk-form).
    pub target: String,
    /// The version.
    pub version: Version,
    /// The header section.
    pub headers: Headers,
}

impl Request {
    /// An HTTP/1.1 request with no header fields.
    pub fn new(method: Method, target: impl Into<String>) -> Request {
        Request {
            method,
            target: target.into(),
            version: Version::Http11,
            headers: Headers::new(),
        }
    }

    pub(crate) fn check_emit(&self) -> Result<(), Error> {
        if self.target.is_empty() || !self.target.bytes().all(is_target) {
            return Err(Error::InvalidToEmit(
                "request-target with a character outside VCHAR (RFC 9112 §3.2)",
            ));
        }
        if Method::from_token(self.method.as_str()).is_none() {
            return Err(Error::InvalidToEmit(
                "method is not a token (RFC 9110 §9.1)",
            ));
        }
        self.headers.check_emit()
    }
}

/// A response head: status line and header section (RFC 9112 §4, §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The version.
    pub version: Version,
    /// The status code, 100..=599.
    pub status: u16,
    /// The reason phrase (which a client ignores, RFC 9112 §4).
    pub reason: String,
    /// The header section.
    pub headers: Headers,
}

impl Response {
    /// An HTTP/1.1 response with no header fields.
    pub fn new(status: u16, reason: impl Into<String>) -> Response {
        Response {
            version: Version::Http11,
            status,
            reason: reason.into(),
            headers: Headers::new(),
        }
    }

    pub(crate) fn check_emit(&self) -> Result<(), Error> {
        if !(100..=599).contains(&self.status) {
            return Err(Error::InvalidToEmit(
                "status code outside 100..=599 (RFC 9110 §15)",
            ));
        }
        if !self.reason.bytes().all(is_reason) {
            return Err(Error::InvalidToEmit(
                "reason-phrase with a control character (RFC 9112 §4)",
            ));
        }
        self.headers.check_emit()
    }
}
