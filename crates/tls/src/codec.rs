//! Checked reading and length-prefixed writing of the TLS presentation
//! language (RFC 8446 §3): every read is bounds-checked and fails with
//! [`Error::Decode`] naming the field, never a panic.

use crate::Error;

/// A cursor over bytes that only ever hands out what is there.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// Reads `buf` from its start.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    /// The bytes not read yet.
    pub fn rest(&self) -> &'a [u8] {
        &self.buf[self.pos..]
    }

    /// Whether everything was read.
    pub fn is_empty(&self) -> bool {
        self.pos == self.buf.len()
    }

    /// Fails unless everything was read: trailing bytes are a decode error.
    pub fn finish(&self, what: &'static str) -> Result<(), Error> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(Error::Decode { what })
        }
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], Error> {
        if self.buf.len() - self.pos < n {
            return Err(Error::Decode { what });
        }
        let out = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    /// One byte.
    pub fn u8(&mut self, what: &'static str) -> Result<u8, Error> {
        Ok(self.take(1, what)?[0])
    }

    /// A big-endian u16.
    pub fn u16(&mut self, what: &'static str) -> Result<u16, Error> {
        let b = self.take(2, what)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    /// A big-endian u24.
    pub fn u24(&mut self, what: &'static str) -> Result<u32, Error> {
        let b = self.take(3, what)?;
        Ok(u32::from_be_bytes([0, b[0], b[1], b[2]]))
    }

    /// A big-endian u32.
    pub fn u32(&mut self, what: &'static str) -> Result<u32, Error> {
        let b = self.take(4, what)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A vector with a one-byte length prefix (`opaque x<0..2^8-1>`).
    pub fn vec8(&mut self, what: &'static str) -> Result<&'a [u8], Error> {
        let n = self.u8(what)? as usize;
        self.take(n, what)
    }

    /// A vector with a two-byte length prefix.
    pub fn vec16(&mut self, what: &'static str) -> Result<&'a [u8], Error> {
        let n = self.u16(what)? as usize;
        self.take(n, what)
    }

    /// A vector with a three-byte length prefix.
    pub fn vec24(&mut self, what: &'static str) -> Result<&'a [u8], Error> {
        let n = self.u24(what)? as usize;
        self.take(n, what)
    }

    /// A two-byte-prefixed list of u16 values (cipher suites, groups,
    /// signature schemes): the length must be even and, when `non_empty`,
    /// at least one entry (RFC 8446 §3.4's `<2..2^16-2>`).
    pub fn u16_list(&mut self, non_empty: bool, what: &'static str) -> Result<Vec<u16>, Error> {
        let body = self.vec16(what)?;
        if body.len() % 2 != 0 || (non_empty && body.is_empty()) {
            return Err(Error::Decode { what });
        }
        Ok(body
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect())
    }
}

/// Appends a big-endian u16.
pub fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

/// Appends a big-endian u24 (values are below 2^24 by construction).
pub fn put_u24(out: &mut Vec<u8>, v: usize) {
    out.extend_from_slice(&(v as u32).to_be_bytes()[1..]);
}

/// Writes `body` with a length prefix of `width` bytes (1, 2 or 3) in front,
/// the length filled in after `body` wrote.
pub fn with_len(out: &mut Vec<u8>, width: usize, body: impl FnOnce(&mut Vec<u8>)) {
    let at = out.len();
    out.extend_from_slice(&[0; 3][..width]);
    body(out);
    let n = out.len() - at - width;
    let bytes = (n as u32).to_be_bytes();
    out[at..at + width].copy_from_slice(&bytes[4 - width..]);
}

/// Writes a two-byte-prefixed list of u16 values.
pub fn put_u16_list(out: &mut Vec<u8>, list: &[u16]) {
    with_len(out, 2, |o| {
        for v in list {
            put_u16(o, *v);
        }
    });
}
