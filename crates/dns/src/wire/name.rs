//! Domain names (RFC 1035 §2.3.4, §3.1, §4.1.4).

use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use crate::Error;

/// Longest label (RFC 1035 §2.3.4).
pub const MAX_LABEL_LEN: usize = 63;
/// Longest name in wire form, length octets and the root label included (RFC 1035 §2.3.4).
pub const MAX_NAME_LEN: usize = 255;

/// An absolute domain name, kept in uncompressed wire form with the case it
/// arrived in. Comparison and hashing ignore ASCII case (RFC 4343), so
/// `Example.COM.` equals `example.com.`; the original case is kept for DNS
/// 0x20 randomisation and for display.
///
/// ```
/// use handshake_dns::wire::Name;
/// let n: Name = "www.Example.com".parse().unwrap();
/// assert_eq!(n.to_string(), "www.Example.com.");
/// assert_eq!(n, "WWW.example.COM.".parse().unwrap());
/// assert!(n.is_subdomain_of(&"example.com".parse().unwrap()));
/// assert_eq!(n.wire_len(), 17);
/// ```
#[derive(Clone)]
pub struct Name {
    /// Length-prefixed labels ending with the zero-length root label.
    wire: Vec<u8>,
}

impl Name {
    /// The root name, `.`.
    pub fn root() -> Name {
        Name { wire: vec![0] }
    }

    /// True for the root name.
    pub fn is_root(&self) -> bool {
        self.wire.len() == 1
    }

    /// Length in uncompressed wire form (at most 255).
    pub fn wire_len(&self) -> usize {
        self.wire.len()
    }

    /// The uncompressed wire form.
    pub fn as_wire(&self) -> &[u8] {
        &self.wire
    }

    /// The labels, leftmost first, without the root label.
    pub fn labels(&self) -> Labels<'_> {
        Labels { rest: &self.wire }
    }

    /// Number of labels, not counting the root.
    pub fn label_count(&self) -> usize {
        self.labels().count()
    }

    /// Builds a name from labels (leftmost first), checking the length limits.
    pub fn from_labels<'a>(labels: impl IntoIterator<Item = &'a [u8]>) -> Result<Name, Error> {
        let mut wire = Vec::new();
        for l in labels {
            if l.is_empty() {
                return Err(Error::EmptyLabel(String::from_utf8_lossy(l).into_owned()));
            }
            push_label(&mut wire, l)?;
        }
        wire.push(0);
        Ok(Name { wire })
    }

    /// True if `self` is `other` or below it (case-insensitive): the bailiwick test.
    pub fn is_subdomain_of(&self, other: &Name) -> bool {
        let (n, m) = (self.label_count(), other.label_count());
        n >= m && self.labels().skip(n - m).eq_by_ascii_case(other.labels())
    }

    /// The name without its leftmost label; `None` for the root.
    pub fn parent(&self) -> Option<Name> {
        let first = usize::from(*self.wire.first()?);
        (first > 0).then(|| Name {
            wire: self.wire[1 + first..].to_vec(),
        })
    }

    /// The name with ASCII letters lower-cased (the canonical form of RFC 4034 §6.2).
    pub fn to_lowercase(&self) -> Name {
        Name {
            wire: self.wire.to_ascii_lowercase(),
        }
    }

    /// Reads a possibly compressed name starting at `at` in `msg`.
    ///
    /// Returns the name and the offset just after it *in place* (after the
    /// first pointer, if any). Every pointer must point strictly before the
    /// start of the labels read so far (RFC 1035 §4.1.4: a pointer refers to
    /// a *prior* occurrence), which rejects forward pointers and makes loops
    /// impossible; the 255-octet limit bounds the work.
    pub fn parse(msg: &[u8], at: usize) -> Result<(Name, usize), Error> {
        let mut wire = Vec::with_capacity(32);
        let mut pos = at;
        let mut limit = at;
        let mut end = None;
        loop {
            let Some(&len) = msg.get(pos) else {
                return Err(truncated("name label length", pos, 1, msg));
            };
            match len >> 6 {
                0b00 if len == 0 => {
                    wire.push(0);
                    return Ok((Name { wire }, end.unwrap_or(pos + 1)));
                }
                0b00 => {
                    let l = usize::from(len);
                    let Some(label) = msg.get(pos + 1..pos + 1 + l) else {
                        return Err(truncated("name label", pos + 1, l, msg));
                    };
                    push_label(&mut wire, label)?;
                    pos += 1 + l;
                }
                0b11 => {
                    let Some(&low) = msg.get(pos + 1) else {
                        return Err(truncated("compression pointer", pos, 2, msg));
                    };
                    let target = usize::from(len & 0x3f) << 8 | usize::from(low);
                    if target >= limit {
                        return Err(Error::BadPointer { at: pos, target });
                    }
                    end.get_or_insert(pos + 2);
                    limit = target;
                    pos = target;
                }
                _ => return Err(Error::ReservedLabelType(len & 0xc0)),
            }
        }
    }

    /// Appends the name uncompressed.
    pub fn emit(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.wire);
    }
}

fn truncated(what: &'static str, at: usize, need: usize, msg: &[u8]) -> Error {
    Error::Truncated {
        what,
        at,
        need,
        have: msg.len().saturating_sub(at),
    }
}

/// Appends one label, keeping the name within RFC 1035 §2.3.4's limits.
fn push_label(wire: &mut Vec<u8>, label: &[u8]) -> Result<(), Error> {
    if label.len() > MAX_LABEL_LEN {
        return Err(Error::LabelTooLong(label.len()));
    }
    // +1 for this label's length octet, +1 for the root label still to come.
    let len = wire.len() + 1 + label.len() + 1;
    if len > MAX_NAME_LEN {
        return Err(Error::NameTooLong(len));
    }
    wire.push(label.len() as u8);
    wire.extend_from_slice(label);
    Ok(())
}

/// Iterator over a name's labels.
#[derive(Debug, Clone)]
pub struct Labels<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Labels<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let (&len, tail) = self.rest.split_first()?;
        if len == 0 {
            return None;
        }
        let (label, rest) = tail.split_at(usize::from(len));
        self.rest = rest;
        Some(label)
    }
}

trait EqByAsciiCase<'a>: Iterator<Item = &'a [u8]> + Sized {
    fn eq_by_ascii_case(mut self, mut other: impl Iterator<Item = &'a [u8]>) -> bool {
        loop {
            match (self.next(), other.next()) {
                (None, None) => return true,
                (Some(a), Some(b)) if a.eq_ignore_ascii_case(b) => {}
                _ => return false,
            }
        }
    }
}

impl<'a, I: Iterator<Item = &'a [u8]>> EqByAsciiCase<'a> for I {}

impl PartialEq for Name {
    fn eq(&self, other: &Name) -> bool {
        // Length octets are below 64, never letters, so a case-insensitive
        // compare of the wire forms compares label by label.
        self.wire.eq_ignore_ascii_case(&other.wire)
    }
}

impl Eq for Name {}

impl Hash for Name {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for b in &self.wire {
            state.write_u8(b.to_ascii_lowercase());
        }
    }
}

impl fmt::Display for Name {
    /// Presentation format (RFC 1035 §5.1): labels joined by dots, a trailing
    /// dot, `.` and `\` escaped, other non-printable octets as `\DDD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_root() {
            return f.write_str(".");
        }
        for label in self.labels() {
            for &b in label {
                match b {
                    b'.' | b'\\' | b'"' | b'(' | b')' | b';' | b'@' | b'$' => {
                        write!(f, "\\{}", b as char)?
                    }
                    0x21..=0x7e => write!(f, "{}", b as char)?,
                    _ => write!(f, "\\{b:03}")?,
                }
            }
            f.write_str(".")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Name({self})")
    }
}

impl FromStr for Name {
    type Err = Error;

    /// Parses presentation format; every name is taken as absolute (a
    /// trailing dot is optional). `\.`, `\\` and `\DDD` escapes are understood.
    fn from_str(s: &str) -> Result<Name, Error> {
        if s == "." {
            return Ok(Name::root());
        }
        let bad_escape = || Error::BadEscape(s.to_string());
        let mut wire = Vec::with_capacity(s.len() + 2);
        let mut label = Vec::with_capacity(MAX_LABEL_LEN);
        let mut ended_with_dot = false;
        let mut bytes = s.bytes();
        while let Some(c) = bytes.next() {
            ended_with_dot = false;
            match c {
                b'.' => {
                    if label.is_empty() {
                        return Err(Error::EmptyLabel(s.to_string()));
                    }
                    push_label(&mut wire, &label)?;
                    label.clear();
                    ended_with_dot = true;
                }
                b'\\' => match bytes.next().ok_or_else(bad_escape)? {
                    d @ b'0'..=b'9' => {
                        let mut digit = || {
                            bytes
                                .next()
                                .filter(u8::is_ascii_digit)
                                .ok_or_else(bad_escape)
                        };
                        let (d2, d3) = (digit()?, digit()?);
                        let v = u32::from(d - b'0') * 100
                            + u32::from(d2 - b'0') * 10
                            + u32::from(d3 - b'0');
                        label.push(u8::try_from(v).map_err(|_| bad_escape())?);
                    }
                    c => label.push(c),
                },
                c => label.push(c),
            }
            if label.len() > MAX_LABEL_LEN {
                return Err(Error::LabelTooLong(label.len()));
            }
        }
        if !label.is_empty() {
            push_label(&mut wire, &label)?;
        } else if !ended_with_dot {
            return Err(Error::EmptyLabel(s.to_string()));
        }
        wire.push(0);
        Ok(Name { wire })
    }
}

/// Remembers where names were written so later ones can point at them
/// (RFC 1035 §4.1.4). Offsets past 0x3FFF cannot be pointed at and are not kept.
#[derive(Debug, Default)]
pub struct Compressor {
    seen: HashMap<Vec<u8>, u16>,
}

impl Compressor {
    /// Appends `name` to `out` (a message being built from its first byte),
    /// replacing its longest already-written suffix with a pointer.
    pub fn emit(&mut self, name: &Name, out: &mut Vec<u8>) {
        let wire = name.as_wire();
        let mut at = 0;
        while wire[at] != 0 {
            let suffix = wire[at..].to_ascii_lowercase();
            if let Some(&ptr) = self.seen.get(&suffix) {
                out.extend_from_slice(&(0xc000 | ptr).to_be_bytes());
                return;
            }
            if let Ok(offset) = u16::try_from(out.len()) {
                if offset <= 0x3fff {
                    self.seen.insert(suffix, offset);
                }
            }
            let len = usize::from(wire[at]);
            out.extend_from_slice(&wire[at..at + 1 + len]);
            at += 1 + len;
        }
        out.push(0);
    }
}
