//! Emitting heads and framing bodies.

use alloc::vec::Vec;

use crate::framing::{request_framing, response_framing, Framing};
use crate::{Error, Headers, Method, Request, Response};

fn write_fields(headers: &Headers, out: &mut Vec<u8>) {
    for f in headers {
        out.extend_from_slice(f.name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(&f.value);
        out.extend_from_slice(b"\r\n");
    }
}

/// Appends the request line and header section of `req` to `out`, field
/// lines in order and as given; fails (writing nothing) on anything that
/// would not read back as written.
pub fn encode_request_head(req: &Request, out: &mut Vec<u8>) -> Result<(), Error> {
    req.check_emit()?;
    out.extend_from_slice(req.method.as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(req.target.as_bytes());
    out.push(b' ');
    out.extend_from_slice(req.version.as_str().as_bytes());
    out.extend_from_slice(b"\r\n");
    write_fields(&req.headers, out);
    out.extend_from_slice(b"\r\n");
    Ok(())
}

/// Appends the status line and header section of `res` to `out`.
pub fn encode_response_head(res: &Response, out: &mut Vec<u8>) -> Result<(), Error> {
    res.check_emit()?;
    out.extend_from_slice(res.version.as_str().as_bytes());
    out.push(b' ');
    let s = res.status;
    out.extend_from_slice(&[
        b'0' + (s / 100) as u8,
        b'0' + (s / 10 % 10) as u8,
        b'0' + (s % 10) as u8,
    ]);
    // RFC 9112 §4: the SP is sent even when the reason is empty.
    out.push(b' ');
    out.extend_from_slice(res.reason.as_bytes());
    out.extend_from_slice(b"\r\n");
    write_fields(&res.headers, out);
    out.extend_from_slice(b"\r\n");
    Ok(())
}

/// Frames a body as the head's fields declare it: chunked, a
/// Content-Length checked octet by octet, none, or until close.
#[derive(Debug, Clone)]
pub struct BodyEncoder {
    framing: Framing,
    written: u64,
}

impl BodyEncoder {
    /// The encoder for `framing` (the same value a [`Decoder`](crate::Decoder) derives from the head).
    pub fn new(framing: Framing) -> BodyEncoder {
        BodyEncoder {
            framing,
            written: 0,
        }
    }

    /// The encoder for the body `req`'s header fields declare (RFC 9112 §6.3).
    pub fn for_request(req: &Request) -> Result<BodyEncoder, Error> {
        Ok(BodyEncoder::new(request_framing(
            req.version,
            req.headers.pairs(),
        )?))
    }

    /// The encoder for the body of `res`, answering a request with `method`.
    pub fn for_response(method: &Method, res: &Response) -> Result<BodyEncoder, Error> {
        Ok(BodyEncoder::new(response_framing(
            method,
            res.status,
            res.version,
            res.headers.pairs(),
        )?))
    }

    /// The framing.
    pub fn framing(&self) -> Framing {
        self.framing
    }

    /// Appends `data`, framed, to `out`. An empty piece writes nothing (an
    /// empty chunk would end a chunked body).
    pub fn data(&mut self, data: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
        if data.is_empty() {
            return Ok(());
        }
        let written = self.written + data.len() as u64;
        match self.framing {
            Framing::Chunked => {
                // RFC 9112 §7.1: chunk-size in hex, CRLF, data, CRLF.
                push_hex(data.len() as u64, out);
                out.extend_from_slice(b"\r\n");
                out.extend_from_slice(data);
                out.extend_from_slice(b"\r\n");
            }
            Framing::Length(n) if written <= n => out.extend_from_slice(data),
            Framing::UntilClose | Framing::Tunnel => out.extend_from_slice(data),
            Framing::Length(n) => {
                return Err(Error::BodyLengthMismatch {
                    declared: n,
                    written,
                })
            }
            Framing::None => {
                return Err(Error::BodyLengthMismatch {
                    declared: 0,
                    written,
                })
            }
        }
        self.written = written;
        Ok(())
    }

    /// Ends the body: the last chunk and `trailers` for chunked (trailers
    /// are only possible there); a check that every declared octet was
    /// written for Content-Length.
    pub fn finish(self, trailers: &Headers, out: &mut Vec<u8>) -> Result<(), Error> {
        if !trailers.is_empty() && self.framing != Framing::Chunked {
            return Err(Error::InvalidToEmit(
                "trailers need the chunked coding (RFC 9112 §7.1.2)",
            ));
        }
        match self.framing {
            Framing::Chunked => {
                trailers.check_emit()?;
                // RFC 9112 §7.1: last-chunk trailer-section CRLF.
                out.extend_from_slice(b"0\r\n");
                write_fields(trailers, out);
                out.extend_from_slice(b"\r\n");
                Ok(())
            }
            Framing::Length(n) if self.written != n => Err(Error::BodyLengthMismatch {
                declared: n,
                written: self.written,
            }),
            _ => Ok(()),
        }
    }
}

fn push_hex(mut n: u64, out: &mut Vec<u8>) {
    let mut digits = [0u8; 16];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b"0123456789abcdef"[(n & 0xf) as usize];
        n >>= 4;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}
