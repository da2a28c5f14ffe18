//! DNS over UDP and TCP (RFC 1035 §4.2, RFC 7766), driving the sans-IO
//! [`Iterative`] resolver. Blocking, on `std::net`.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

use handshake_dns::wire::Message;
use handshake_dns::{Iterative, Outcome, Step};
use rand::rngs::OsRng;

/// EDNS(0) buffer we advertise and read into (DNS Flag Day 2020).
pub const UDP_PAYLOAD: usize = 1232;

/// Sends `query` over UDP from a fresh socket (an OS-chosen random port) and
/// returns every datagram that arrives before `timeout` to `accept`, until it
/// returns true. Datagrams from other addresses are passed on too: the
/// resolver, not the transport, decides what matches (RFC 5452).
fn udp_exchange(
    server: SocketAddr,
    query: &[u8],
    timeout: Duration,
    mut accept: impl FnMut(SocketAddr, &[u8]) -> bool,
) -> io::Result<bool> {
    let bind: SocketAddr = if server.is_ipv4() {
        ([0, 0, 0, 0], 0).into()
    } else {
        ([0u16; 8], 0).into()
    };
    let sock = UdpSocket::bind(bind)?;
    sock.send_to(query, server)?;
    let deadline = Instant::now() + timeout;
    let mut buf = vec![0u8; 65_535];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(false);
        }
        sock.set_read_timeout(Some(left))?;
        match sock.recv_from(&mut buf) {
            Ok((n, from)) => {
                if accept(from, &buf[..n]) {
                    return Ok(true);
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Ok(false)
            }
            Err(e) => return Err(e),
        }
    }
}

/// One query over TCP with the 2-byte length prefix (RFC 1035 §4.2.2, RFC 7766 §8).
pub fn tcp_exchange(server: SocketAddr, query: &[u8], timeout: Duration) -> io::Result<Vec<u8>> {
    let mut s = TcpStream::connect_timeout(&server, timeout)?;
    s.set_read_timeout(Some(timeout))?;
    s.set_write_timeout(Some(timeout))?;
    let len = u16::try_from(query.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "query over 65535 bytes"))?;
    let mut framed = Vec::with_capacity(query.len() + 2);
    framed.extend_from_slice(&len.to_be_bytes());
    framed.extend_from_slice(query);
    s.write_all(&framed)?;
    let mut len = [0u8; 2];
    s.read_exact(&mut len)?;
    let mut resp = vec![0u8; usize::from(u16::from_be_bytes(len))];
    s.read_exact(&mut resp)?;
    Ok(resp)
}

/// Sends one query with the RD bit as given and returns the parsed response
/// (UDP, then TCP if truncated): a small stub for talking to a recursive server.
pub fn query(server: SocketAddr, message: &Message, timeout: Duration) -> io::Result<Message> {
    let bytes = message.to_bytes().map_err(invalid)?;
    let mut got = None;
    udp_exchange(server, &bytes, timeout, |from, resp| {
        let Ok(m) = Message::parse(resp) else {
            return false;
        };
        let ok =
            from == server && m.header.id == message.header.id && m.questions == message.questions;
        if ok {
            got = Some(m);
        }
        ok
    })?;
    match got {
        Some(m) if m.header.truncated => {
            Message::parse(&tcp_exchange(server, &bytes, timeout)?).map_err(invalid)
        }
        Some(m) => Ok(m),
        None => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!("no answer from {server}"),
        )),
    }
}

fn invalid(e: handshake_dns::Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}

/// One query and what came back for it, as bytes on the wire.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The server asked.
    pub server: SocketAddr,
    /// Over TCP (after truncation) rather than UDP.
    pub tcp: bool,
    /// The query as sent.
    pub query: Vec<u8>,
    /// Every response datagram (or the TCP response) received for it.
    pub responses: Vec<(SocketAddr, Vec<u8>)>,
}

/// Runs an iterative lookup to its end over real sockets, `timeout` per query.
pub fn resolve(lookup: &mut Iterative, timeout: Duration) -> Outcome {
    resolve_observed(lookup, timeout, |_| {})
}

/// [`resolve`], handing every [`Exchange`] to `observe` (for traces and captures).
pub fn resolve_observed(
    lookup: &mut Iterative,
    timeout: Duration,
    mut observe: impl FnMut(Exchange),
) -> Outcome {
    let mut rng = OsRng;
    loop {
        match lookup.poll(&mut rng) {
            Step::Done(outcome) => return outcome,
            // Nothing is outstanding after every branch below: poll will not ask to wait.
            Step::Wait => lookup.handle_timeout(),
            Step::Query {
                server,
                message,
                tcp,
            } => {
                let Ok(bytes) = message.to_bytes() else {
                    lookup.handle_timeout();
                    continue;
                };
                let mut seen = Exchange {
                    server,
                    tcp,
                    query: bytes.clone(),
                    responses: Vec::new(),
                };
                if tcp {
                    let resp = tcp_exchange(server, &bytes, timeout);
                    if let Ok(r) = &resp {
                        seen.responses.push((server, r.clone()));
                    }
                    match resp.map(|r| Message::parse(&r)) {
                        Ok(Ok(m)) => lookup.handle_response(server, &m),
                        _ => lookup.handle_timeout(),
                    }
                    observe(seen);
                    continue;
                }
                let answered = udp_exchange(server, &bytes, timeout, |from, resp| {
                    seen.responses.push((from, resp.to_vec()));
                    let Ok(m) = Message::parse(resp) else {
                        return false;
                    };
                    lookup.handle_response(from, &m);
                    // Still waiting means the datagram did not match: keep listening.
                    !lookup.is_waiting()
                });
                if !matches!(answered, Ok(true)) {
                    lookup.handle_timeout();
                }
                observe(seen);
            }
        }
    }
}
