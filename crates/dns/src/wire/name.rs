//! Domain names (RFC 1035 §2.3.4, §3.1, §4.1.4).

use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use core::fmt;
use core::hash::{Hash, Hasher};
use core::str::FromStr;

use crate::Error;

/// Longest label (RFC 1035 §2.3.4).
pub const MAX_LABEL_LEN: usize = 63;
/// Longest name in wire form, length octets and the root label included (RFC 1035 §2.3.4).
pub const MAX_NAME_LEN: usize = 255;

/// An absolute domain name, kept in uncompressed wire form with the case it
/// arrived in. Comparison and hashing ignore ASCII case (RFC 4343), so
/// `Example.COM.` equals `example.com.`; the original case is kept for DNS
/// 0x20 randomisation and for display. Names of up to 30 wire octets (most
/// names) are stored inline: parsing and cloning them does not allocate.
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
    wire: Wire,
}

/// Wire octets kept inline up to this length.
const INLINE: usize = 30;

/// A name's wire form: inline when short, else on the heap.
#[derive(Clone)]
enum Wire {
    Inline { len: u8, buf: [u8; INLINE] },
    Heap(Box<[u8]>),
}

impl Wire {
    fn new(bytes: &[u8]) -> Wire {
        match u8::try_from(bytes.len()) {
            Ok(len) if bytes.len() <= INLINE => {
                let mut buf = [0u8; INLINE];
                buf[..bytes.len()].copy_from_slice(bytes);
                Wire::Inline { len, buf }
            }
            _ => Wire::Heap(bytes.into()),
        }
    }

    fn as_slice(&self) -> &[u8] {
        match self {
            Wire::Inline { len, buf } => &buf[..usize::from(*len)],
            Wire::Heap(b) => b,
        }
    }

    fn as_mut_slice(&mut self) -> &mut [u8] {
        match self {
            Wire::Inline { len, buf } => &mut buf[..usize::from(*len)],
            Wire::Heap(b) => b,
        }
    }
}

/// A name being built, within RFC 1035 §2.3.4's limits: in the inline
/// buffer it will keep, moved to the heap once it outgrows it.
struct Builder {
    inline: [u8; INLINE],
    len: usize,
    heap: Option<Vec<u8>>,
}

impl Builder {
    fn new() -> Builder {
        Builder {
            inline: [0; INLINE],
            len: 0,
            heap: None,
        }
    }

    /// Appends one label, keeping the name within RFC 1035 §2.3.4's limits.
    fn push_label(&mut self, label: &[u8]) -> Result<(), Error> {
        if label.len() > MAX_LABEL_LEN {
            return Err(Error::LabelTooLong(label.len()));
        }
        // +1 for this label's length octet, +1 for the root label still to come.
        let len = self.len + 1 + label.len() + 1;
        if len > MAX_NAME_LEN {
            return Err(Error::NameTooLong(len));
        }
        if self.heap.is_none() && len <= INLINE {
            self.inline[self.len] = label.len() as u8;
            self.inline[self.len + 1..len - 1].copy_from_slice(label);
        } else {
            let heap = self
                .heap
                .get_or_insert_with(|| self.inline[..self.len].to_vec());
            heap.push(label.len() as u8);
            heap.extend_from_slice(label);
        }
        self.len = len - 1;
        Ok(())
    }

    /// Appends labels that [`Name::decode`] has checked (each length octet
    /// below 64, the whole within RFC 1035 §2.3.4's 255 octets with the
    /// root label still to come): one copy for a run of labels read in place.
    fn push_run(&mut self, run: &[u8]) {
        let len = self.len + run.len();
        if self.heap.is_none() && len < INLINE {
            self.inline[self.len..len].copy_from_slice(run);
        } else {
            let heap = self.heap.get_or_insert_with(|| {
                let mut heap = Vec::with_capacity(MAX_NAME_LEN);
                heap.extend_from_slice(&self.inline[..self.len]);
                heap
            });
            heap.extend_from_slice(run);
        }
        self.len = len;
    }

    /// Ends the name with `suffix` (a whole name in wire form) and writes
    /// it to `dst`, or gives the builder back if the result would be over
    /// 255 octets.
    fn finish_with_into(mut self, suffix: &[u8], dst: &mut Name) -> Result<(), Builder> {
        let len = self.len + suffix.len();
        if len > MAX_NAME_LEN {
            return Err(self);
        }
        match self.heap {
            None if len <= INLINE => {
                self.inline[self.len..len].copy_from_slice(suffix);
                dst.set_inline(len, &self.inline);
            }
            heap => {
                let mut heap = heap.unwrap_or_else(|| self.inline[..self.len].to_vec());
                heap.extend_from_slice(suffix);
                dst.wire = Wire::Heap(heap.into_boxed_slice());
            }
        }
        Ok(())
    }

    /// Ends the name with the root label and writes it to `dst`.
    fn finish_into(mut self, dst: &mut Name) {
        match self.heap {
            Some(mut heap) => {
                heap.push(0);
                dst.wire = Wire::Heap(heap.into_boxed_slice());
            }
            None => {
                // push_label left room for it.
                self.inline[self.len] = 0;
                dst.set_inline(self.len + 1, &self.inline);
            }
        }
    }

    /// Ends the name with the root label.
    fn finish(self) -> Name {
        let mut name = Name::root();
        self.finish_into(&mut name);
        name
    }
}

impl Name {
    /// The root name, `.`.
    pub(crate) const ROOT: Name = Name {
        wire: Wire::Inline {
            len: 1,
            buf: [0; INLINE],
        },
    };

    /// The root name, `.`.
    pub fn root() -> Name {
        Name::ROOT
    }

    /// Makes this name the inline one of `len` octets in `buf`, writing
    /// in place when it is already inline. Names are parsed into the record
    /// they belong to, not built and moved there: a freshly written name
    /// read back as a whole stalls the CPU's store forwarding.
    #[inline]
    fn set_inline(&mut self, len: usize, buf: &[u8; INLINE]) {
        debug_assert!(len <= INLINE);
        match &mut self.wire {
            Wire::Inline { len: l, buf: b } => {
                *b = *buf;
                *l = len as u8;
            }
            wire => {
                *wire = Wire::Inline {
                    len: len as u8,
                    buf: *buf,
                }
            }
        }
    }

    /// True for the root name.
    pub fn is_root(&self) -> bool {
        self.wire_len() == 1
    }

    /// Length in uncompressed wire form (at most 255).
    pub fn wire_len(&self) -> usize {
        self.as_wire().len()
    }

    /// The uncompressed wire form.
    pub fn as_wire(&self) -> &[u8] {
        self.wire.as_slice()
    }

    /// The labels, leftmost first, without the root label.
    pub fn labels(&self) -> Labels<'_> {
        Labels {
            rest: self.as_wire(),
        }
    }

    /// Number of labels, not counting the root.
    pub fn label_count(&self) -> usize {
        self.labels().count()
    }

    /// Builds a name from labels (leftmost first), checking the length limits.
    pub fn from_labels<'a>(labels: impl IntoIterator<Item = &'a [u8]>) -> Result<Name, Error> {
        let mut b = Builder::new();
        for l in labels {
            if l.is_empty() {
                return Err(Error::EmptyLabel(String::from_utf8_lossy(l).into_owned()));
            }
            b.push_label(l)?;
        }
        Ok(b.finish())
    }

    /// True if `self` is `other` or below it (case-insensitive): the bailiwick test.
    pub fn is_subdomain_of(&self, other: &Name) -> bool {
        let (n, m) = (self.label_count(), other.label_count());
        n >= m && self.labels().skip(n - m).eq_by_ascii_case(other.labels())
    }

    /// The name without its leftmost label; `None` for the root.
    pub fn parent(&self) -> Option<Name> {
        let wire = self.as_wire();
        let first = usize::from(*wire.first()?);
        (first > 0).then(|| Name {
            wire: Wire::new(&wire[1 + first..]),
        })
    }

    /// The name with the labels it shares at its end with `asked` (compared
    /// ignoring case) spelled as in `asked`. A response's names compressed
    /// against the question carry the random DNS 0x20 case of the query;
    /// this gives them back the case the caller asked in, as unbound does
    /// (issue 14, defect 2).
    ///
    /// ```
    /// use handshake_dns::wire::Name;
    /// let got: Name = "mx1.ExamPLE.tEst".parse().unwrap();
    /// let asked: Name = "www.example.Test".parse().unwrap();
    /// assert_eq!(got.with_case_of(&asked).to_string(), "mx1.example.Test.");
    /// ```
    pub fn with_case_of(&self, asked: &Name) -> Name {
        let ours: Vec<&[u8]> = self.labels().collect();
        let theirs: Vec<&[u8]> = asked.labels().collect();
        let shared = ours
            .iter()
            .rev()
            .zip(theirs.iter().rev())
            .take_while(|(a, b)| a.eq_ignore_ascii_case(b))
            .count();
        if shared == 0 {
            return self.clone();
        }
        let labels = ours[..ours.len() - shared]
            .iter()
            .chain(&theirs[theirs.len() - shared..])
            .copied();
        // Same labels, same lengths: within the limits `self` is within.
        Name::from_labels(labels).unwrap_or_else(|_| self.clone())
    }

    /// The name with ASCII letters lower-cased (the canonical form of RFC 4034 §6.2).
    pub fn to_lowercase(&self) -> Name {
        let mut n = self.clone();
        n.wire.as_mut_slice().make_ascii_lowercase();
        n
    }

    /// Reads a possibly compressed name starting at `at` in `msg`.
    ///
    /// Returns the name and the offset just after it *in place* (after the
    /// first pointer, if any). Every pointer must point strictly before the
    /// start of the labels read so far (RFC 1035 §4.1.4: a pointer refers to
    /// a *prior* occurrence), which rejects forward pointers and makes loops
    /// impossible. The 255-octet limit bounds the labels, and
    /// [`MAX_POINTER_HOPS`] the pointers, which add no octets (RFC 9267 §2).
    pub fn parse(msg: &[u8], at: usize) -> Result<(Name, usize), Error> {
        Name::decode(msg, at, None).map(|(name, next, _)| (name, next))
    }

    /// [`Name::parse`]; a pointer to a name in `cache` ends the name with a
    /// copy of it (what following the pointer would read, as it was read
    /// from the same bytes), unless that would be too long, in which case
    /// decoding goes on and reports the error as usual.
    /// Also returns the pointers followed (a cached suffix counting the
    /// pointers its own decoding followed).
    fn decode(
        msg: &[u8],
        at: usize,
        cache: Option<&NameCache>,
    ) -> Result<(Name, usize, usize), Error> {
        let mut name = Name::root();
        let (next, hops) = Name::decode_into(msg, at, cache, &mut name)?;
        Ok((name, next, hops))
    }

    /// [`Name::decode`], writing the name to `dst` (left as it was on error).
    /// Returns the offset after the name in place and the pointers followed.
    fn decode_into(
        msg: &[u8],
        at: usize,
        cache: Option<&NameCache>,
        dst: &mut Name,
    ) -> Result<(usize, usize), Error> {
        if msg.get(at) == Some(&0) {
            // The root name (every OPT record's owner): nothing to build.
            dst.set_inline(1, &[0; INLINE]);
            return Ok((at + 1, 0));
        }
        let mut wire = Builder::new();
        let mut pos = at;
        // Labels read in place since the last pointer: copied in one go.
        let mut run = at;
        let mut limit = at;
        let mut end = None;
        let mut hops = 0;
        loop {
            let Some(&len) = msg.get(pos) else {
                return Err(truncated("name label length", pos, 1, msg));
            };
            match len >> 6 {
                0b00 if len == 0 => {
                    wire.push_run(&msg[run..pos]);
                    wire.finish_into(dst);
                    return Ok((end.unwrap_or(pos + 1), hops));
                }
                0b00 => {
                    let l = usize::from(len);
                    if msg.len() < pos + 1 + l {
                        return Err(truncated("name label", pos + 1, l, msg));
                    }
                    // RFC 1035 §2.3.4: this label's length octet and octets,
                    // and the root label still to come, within 255 octets.
                    let total = wire.len + (pos - run) + 1 + l + 1;
                    if total > MAX_NAME_LEN {
                        return Err(Error::NameTooLong(total));
                    }
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
                    // A pointer adds no octet to the name, so the 255-octet
                    // limit does not bound them: count them (RFC 9267 §2).
                    hops += 1;
                    if hops > MAX_POINTER_HOPS {
                        return Err(Error::TooManyPointers {
                            at,
                            limit: MAX_POINTER_HOPS,
                        });
                    }
                    wire.push_run(&msg[run..pos]);
                    let after = *end.get_or_insert(pos + 2);
                    if let Some(((suffix, more), cache)) =
                        cache.and_then(|c| Some((c.find(target)?, c)))
                    {
                        // Only when decoding it here would stay within the limit too.
                        if hops + more <= MAX_POINTER_HOPS {
                            match wire.finish_with_into(cache.wire(suffix), dst) {
                                Ok(()) => return Ok((after, hops + more)),
                                Err(unfinished) => wire = unfinished,
                            }
                        }
                    }
                    limit = target;
                    pos = target;
                    run = target;
                }
                _ => return Err(Error::ReservedLabelType(len & 0xc0)),
            }
        }
    }

    /// Appends the name uncompressed.
    pub fn emit(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.as_wire());
    }
}

/// The most compression pointers one name may follow (unbound's
/// `MAX_COMPRESS_PTRS`). Each must point backwards (RFC 1035 §4.1.4), yet a
/// chain of pointers that add no label is limited only by the message: in
/// 16 KB of reach, thousands of hops for every name of a 64 KB message.
pub const MAX_POINTER_HOPS: usize = 256;

fn truncated(what: &'static str, at: usize, need: usize, msg: &[u8]) -> Error {
    Error::Truncated {
        what,
        at,
        need,
        have: msg.len().saturating_sub(at),
    }
}

/// Names already decoded while one message is parsed, by the offset they
/// start at: a name that is a bare pointer to one of them is copied instead
/// of decoded again (most owner names point at the question, most glue
/// owners at an NS record's RDATA). The wire forms sit back to back in one
/// buffer on the stack; the question's suffixes share its octets.
pub(crate) struct NameCache {
    /// Message offset of each remembered name.
    offsets: [usize; CACHED_NAMES],
    /// Where each one's wire form is in `octets`, and the pointers its
    /// decoding followed.
    spans: [Span; CACHED_NAMES],
    len: usize,
    /// The wire forms, with `INLINE` octets of slack after the last one so
    /// an inline name is copied with one fixed-size copy.
    octets: [u8; CACHE_OCTETS + INLINE],
    used: usize,
}

/// A remembered name's place in [`NameCache::octets`].
#[derive(Clone, Copy, Default)]
pub(crate) struct Span {
    start: usize,
    len: usize,
    hops: usize,
}

/// Offsets remembered per message; names past them are decoded as usual.
const CACHED_NAMES: usize = 8;
/// Octets of wire form remembered per message.
const CACHE_OCTETS: usize = 256;
/// A compression pointer's 14-bit offset cannot reach past this (RFC 1035
/// §4.1.4): names that start later are never pointed at.
const POINTER_REACH: usize = 0x4000;

impl Default for NameCache {
    fn default() -> NameCache {
        NameCache {
            offsets: [0; CACHED_NAMES],
            spans: [Span::default(); CACHED_NAMES],
            len: 0,
            octets: [0; CACHE_OCTETS + INLINE],
            used: 0,
        }
    }
}

impl NameCache {
    /// The name remembered at `at` and the pointers its decoding followed.
    fn find(&self, at: usize) -> Option<(Span, usize)> {
        let i = self.offsets[..self.len].iter().position(|&o| o == at)?;
        let span = self.spans[i];
        Some((span, span.hops))
    }

    /// A remembered name's wire form.
    fn wire(&self, span: Span) -> &[u8] {
        &self.octets[span.start..span.start + span.len]
    }

    /// A remembered name, copied into `dst`.
    #[inline]
    fn name_into(&self, span: Span, dst: &mut Name) {
        if span.len <= INLINE {
            // Octets past `len` are never read (`Wire::as_slice`): copy a
            // fixed 30 octets, which the slack after the buffer allows.
            let mut buf = [0u8; INLINE];
            buf.copy_from_slice(&self.octets[span.start..span.start + INLINE]);
            dst.set_inline(span.len, &buf);
        } else {
            dst.wire = Wire::Heap(self.wire(span).into());
        }
    }

    /// Remembers `wire`, decoded at `at`, and the suffixes of it that start
    /// at the message offsets `suffixes` gives (their index into `wire`).
    fn remember(
        &mut self,
        at: usize,
        wire: &[u8],
        hops: usize,
        suffixes: impl Iterator<Item = (usize, usize)>,
    ) {
        let start = self.used;
        if start + wire.len() > CACHE_OCTETS {
            return;
        }
        self.octets[start..start + wire.len()].copy_from_slice(wire);
        self.used += wire.len();
        for (offset, i) in core::iter::once((at, 0)).chain(suffixes) {
            if self.len == CACHED_NAMES {
                break;
            }
            if offset >= POINTER_REACH || self.offsets[..self.len].contains(&offset) {
                continue;
            }
            self.offsets[self.len] = offset;
            self.spans[self.len] = Span {
                start: start + i,
                len: wire.len() - i,
                hops,
            };
            self.len += 1;
        }
    }

    /// Reads the question's name at `at` (RFC 1035 §4.1.4, as
    /// [`Name::parse`]) and remembers it and each parent that is written
    /// out in place, at the offset of its first label. Labels behind a
    /// pointer are not where the decoded name's octets would put them: the
    /// question may itself be compressed (against the header, even), and a
    /// later pointer to the octets after it must read those octets, as
    /// [`Name::parse`] does (issue 14, defect 9: one decoder).
    pub(crate) fn parse_question(&mut self, msg: &[u8], at: usize) -> Result<(Name, usize), Error> {
        let (name, next, hops) = Name::decode(msg, at, None)?;
        let wire = name.as_wire();
        // In place while the message holds the same plain label as the name
        // (a pointer octet is never a label length).
        let in_place = |i: usize| wire[i] != 0 && msg.get(at + i) == Some(&wire[i]);
        if in_place(0) {
            let parents = core::iter::successors(Some(0), |&i| Some(i + 1 + usize::from(wire[i])))
                .skip(1)
                .take_while(|&i| in_place(i))
                .map(|i| (at + i, i));
            self.remember(at, wire, hops, parents);
        }
        Ok((name, next))
    }

    /// [`Name::parse`] of the name at `at`, which must end by `end`.
    pub(crate) fn parse(
        &mut self,
        msg: &[u8],
        at: usize,
        end: usize,
    ) -> Result<(Name, usize), Error> {
        let mut name = Name::root();
        let next = self.parse_into(msg, at, end, &mut name)?;
        Ok((name, next))
    }

    /// [`NameCache::parse`], writing the name to `dst` (left as it was on
    /// error) and returning the offset after it. A hit is a two-octet
    /// pointer to a remembered offset before `at`: the same bytes would
    /// decode to the same name, under the same rules.
    #[inline]
    pub(crate) fn parse_into(
        &mut self,
        msg: &[u8],
        at: usize,
        end: usize,
        dst: &mut Name,
    ) -> Result<usize, Error> {
        match self.hit(msg, at, end) {
            Some(span) => {
                self.name_into(span, dst);
                Ok(at + 2)
            }
            None => self.parse_and_remember(msg, at, end, dst),
        }
    }

    /// The remembered name a bare pointer at `at` refers to, if any.
    #[inline]
    fn hit(&self, msg: &[u8], at: usize, end: usize) -> Option<Span> {
        let (&hi, &lo) = (msg.get(at)?, msg.get(at + 1)?);
        let target = usize::from(hi & 0x3f) << 8 | usize::from(lo);
        if hi & 0xc0 != 0xc0 || at + 2 > end || target >= at {
            return None;
        }
        let (span, hops) = self.find(target)?;
        (hops < MAX_POINTER_HOPS).then_some(span)
    }

    /// A miss: decodes the name into `dst` and remembers it.
    #[inline(never)]
    fn parse_and_remember(
        &mut self,
        msg: &[u8],
        at: usize,
        end: usize,
        dst: &mut Name,
    ) -> Result<usize, Error> {
        let (next, hops) = Name::decode_into(&msg[..end.min(msg.len())], at, Some(self), dst)?;
        self.remember(at, dst.as_wire(), hops, core::iter::empty());
        Ok(next)
    }
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
        self.as_wire().eq_ignore_ascii_case(other.as_wire())
    }
}

impl Eq for Name {}

impl Hash for Name {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // The lower-cased wire form (self-delimiting: it ends with the root
        // label), eight octets at a time; equal for names that compare equal.
        for chunk in self.as_wire().chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            word.make_ascii_lowercase();
            state.write_u64(u64::from_le_bytes(word));
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
        let mut wire = Builder::new();
        let mut label = Label::default();
        let mut ended_with_dot = false;
        let mut bytes = s.bytes();
        while let Some(c) = bytes.next() {
            ended_with_dot = false;
            match c {
                b'.' => {
                    if label.is_empty() {
                        return Err(Error::EmptyLabel(s.to_string()));
                    }
                    wire.push_label(label.as_slice())?;
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
                        label.push(u8::try_from(v).map_err(|_| bad_escape())?)?;
                    }
                    c => label.push(c)?,
                },
                c => label.push(c)?,
            }
        }
        if !label.is_empty() {
            wire.push_label(label.as_slice())?;
        } else if !ended_with_dot {
            return Err(Error::EmptyLabel(s.to_string()));
        }
        Ok(wire.finish())
    }
}

/// A label being read from text, on the stack.
struct Label {
    buf: [u8; MAX_LABEL_LEN],
    len: usize,
}

impl Default for Label {
    fn default() -> Label {
        Label {
            buf: [0; MAX_LABEL_LEN],
            len: 0,
        }
    }
}

impl Label {
    fn push(&mut self, b: u8) -> Result<(), Error> {
        // RFC 1035 §2.3.4: 63 octets at most.
        let slot = self
            .buf
            .get_mut(self.len)
            .ok_or(Error::LabelTooLong(MAX_LABEL_LEN + 1))?;
        *slot = b;
        self.len += 1;
        Ok(())
    }

    fn as_slice(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn clear(&mut self) {
        self.len = 0;
    }
}

/// Remembers where names were written so later ones can point at them
/// (RFC 1035 §4.1.4). Offsets past 0x3FFF cannot be pointed at and are not
/// kept. Each written suffix is remembered by a case-insensitive hash and
/// its offset; a hash match is confirmed against the bytes already written,
/// so a collision costs a missed pointer, never a wrong one.
#[derive(Debug, Default)]
pub struct Compressor {
    seen: Vec<(u64, u16)>,
}

/// Most labels a name can have: 255 octets of one-octet labels and their lengths.
const MAX_LABELS: usize = MAX_NAME_LEN / 2;

impl Compressor {
    /// Appends `name` to `out` (a message being built from its first byte),
    /// replacing its longest already-written suffix with a pointer.
    pub fn emit(&mut self, name: &Name, out: &mut Vec<u8>) {
        let wire = name.as_wire();
        // Where each label starts, and the hash of the suffix from there.
        let mut starts = [0u8; MAX_LABELS];
        let mut n = 0;
        let mut at = 0;
        while wire[at] != 0 && n < MAX_LABELS {
            starts[n] = at as u8;
            n += 1;
            at += 1 + usize::from(wire[at]);
        }
        let mut hashes = [0u64; MAX_LABELS];
        let mut h = 0xcbf2_9ce4_8422_2325_u64;
        for i in (0..n).rev() {
            let s = usize::from(starts[i]);
            for &b in &wire[s..s + 1 + usize::from(wire[s])] {
                h = (h ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(0x0100_0000_01b3);
            }
            hashes[i] = h;
        }
        for i in 0..n {
            let s = usize::from(starts[i]);
            let suffix = &wire[s..];
            let found = self
                .seen
                .iter()
                .find(|(hash, off)| *hash == hashes[i] && same_name_at(out, *off, suffix));
            if let Some(&(_, ptr)) = found {
                out.extend_from_slice(&(0xc000 | ptr).to_be_bytes());
                return;
            }
            if let Ok(offset) = u16::try_from(out.len()) {
                if offset <= 0x3fff {
                    self.seen.push((hashes[i], offset));
                }
            }
            out.extend_from_slice(&wire[s..s + 1 + usize::from(wire[s])]);
        }
        out.push(0);
    }
}

/// True if the name written at `off` in `out` (following its pointers) is
/// `suffix` (an uncompressed wire name), ignoring ASCII case.
fn same_name_at(out: &[u8], mut off: u16, suffix: &[u8]) -> bool {
    let mut pos = usize::from(off);
    let mut rest = suffix;
    // Each step consumes a label of `suffix` or follows a pointer backwards.
    for _ in 0..2 * MAX_NAME_LEN {
        let Some(&len) = out.get(pos) else {
            return false;
        };
        if len & 0xc0 == 0xc0 {
            let Some(&low) = out.get(pos + 1) else {
                return false;
            };
            let target = u16::from(len & 0x3f) << 8 | u16::from(low);
            if target >= off {
                return false;
            }
            off = target;
            pos = usize::from(target);
            continue;
        }
        let l = 1 + usize::from(len);
        match (out.get(pos..pos + l), rest.get(..l)) {
            (Some(a), Some(b)) if a.eq_ignore_ascii_case(b) => {
                if len == 0 {
                    return true;
                }
                rest = &rest[l..];
                pos += l;
            }
            _ => return false,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::{format, vec};
    use proptest::prelude::*;

    /// At every offset, in order (so earlier names fill the cache), the
    /// cached decoder gives what the plain one gives: the same name and end,
    /// or an error of the same kind.
    fn cache_agrees(bytes: &[u8]) -> Result<(), String> {
        cache_agrees_after(bytes, NameCache::default(), 0)
    }

    /// [`cache_agrees`] from offset `from`, with `cache` as it is.
    fn cache_agrees_after(bytes: &[u8], mut cache: NameCache, from: usize) -> Result<(), String> {
        for at in from..bytes.len() {
            let plain = Name::parse(bytes, at);
            let cached = cache.parse(bytes, at, bytes.len());
            let same = match (&plain, &cached) {
                (Ok((a, x)), Ok((b, y))) => a.as_wire() == b.as_wire() && x == y,
                (Err(a), Err(b)) => core::mem::discriminant(a) == core::mem::discriminant(b),
                _ => false,
            };
            if !same {
                return Err(format!("at {at}: plain {plain:?}, cached {cached:?}"));
            }
        }
        Ok(())
    }

    #[test]
    fn cached_decoding_of_a_compressed_message() {
        let mut out = vec![0u8; 12];
        let mut c = Compressor::default();
        for n in [
            "www.Example.com",
            "example.COM",
            "ns1.example.com",
            "a.b.ns1.example.com",
            "other.net",
            "x.a.b.ns1.example.com",
            // Past the inline size: decoded on the heap, suffix appended there.
            "a-label-long-enough-for-the-heap.x.a.b.ns1.example.com",
            "y.a-label-long-enough-for-the-heap.x.a.b.ns1.example.com",
        ] {
            c.emit(&n.parse().unwrap(), &mut out);
            out.extend_from_slice(&[0, 1]);
        }
        assert_eq!(cache_agrees(&out), Ok(()));
    }

    proptest! {
        #[test]
        fn cached_decoding_of_arbitrary_bytes(mut bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            // Make pointers likely: every fifth byte a pointer octet.
            for b in bytes.iter_mut().step_by(5) {
                *b |= 0xc0;
            }
            prop_assert_eq!(cache_agrees(&bytes), Ok(()));
        }

        /// Issue 14, defect 9: after the question's name (at offset 12, as
        /// a message has it, and often compressed against the header), every
        /// later name decodes as the plain decoder reads it.
        #[test]
        fn cached_decoding_after_a_question(mut bytes in prop::collection::vec(any::<u8>(), 12..200)) {
            for b in bytes.iter_mut().skip(12).step_by(4) {
                *b |= 0xc0;
            }
            let mut cache = NameCache::default();
            if let Ok((name, next)) = cache.parse_question(&bytes, 12) {
                prop_assert_eq!(Name::parse(&bytes, 12), Ok((name, next)));
                prop_assert_eq!(cache_agrees_after(&bytes, cache, next), Ok(()));
            }
        }
    }
}
