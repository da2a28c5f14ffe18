//! DNS over UDP and TCP (RFC 1035 §4.2, RFC 7766) on tokio, driving the
//! sans-IO [`Iterative`] resolver and the pipeline's [`NetworkLookup`]
//! (stub or iterative); each async function has a blocking twin that runs
//! it on a current-thread runtime. Only bytes move here: which response is
//! believed, what to ask next and when to give up are the machines' calls.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;

use handshake_dns::wire::Message;
use handshake_dns::{Iterative, NetworkLookup, Outcome, Step, Stub};
use handshake_time::Instant as Tick;
use rand::rngs::OsRng;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::time::{timeout_at, Instant};

/// EDNS(0) buffer we advertise and read into (DNS Flag Day 2020).
pub const UDP_PAYLOAD: usize = 1232;

/// Datagrams kept per [`Exchange`]; the rest are counted (issue 14, defect 7).
pub const EXCHANGE_SAMPLE: usize = 16;

/// The process's monotonic clock as a [`handshake_time::Instant`]: the
/// time the sans-IO machines are given (one origin for every lookup, so an
/// infrastructure cache's instants compare across lookups).
pub fn now() -> Tick {
    static ORIGIN: OnceLock<std::time::Instant> = OnceLock::new();
    let origin = ORIGIN.get_or_init(std::time::Instant::now);
    Tick::from_nanos(u64::try_from(origin.elapsed().as_nanos()).unwrap_or(u64::MAX))
}

/// Runs `f` to completion on a fresh current-thread runtime.
pub(crate) fn block_on<F: Future>(f: F) -> io::Result<F::Output> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(f))
}

/// The lowest source port a query leaves from: RFC 5452 §9.2 asks for a port
/// from "53, or 1024 and above", as large a range as practicable.
pub const LOWEST_SOURCE_PORT: u16 = 1024;

/// Random ports tried before the kernel is left to choose (each try that
/// fails found the port taken, or reserved by the administrator).
const PORT_TRIES: usize = 32;

/// A UDP socket for one query to `server`. RFC 5452 §9.2: its port is drawn
/// uniformly from 1024..=65535 (not the kernel's ephemeral range, a few
/// tens of thousands of ports), skipping the ports the administrator reserved
/// (Linux's `net.ipv4.ip_local_reserved_ports`, "means to avoid usage of
/// certain ports") and ports in use. RFC 5452 §9.1: it is connected to the
/// server, which binds it to the route's source address: the kernel then
/// delivers only datagrams from the server's address and port to our address
/// and port, so a response sent to another of our addresses is never read.
///
/// `Ok(None)`: the server cannot be reached (no route).
async fn query_socket(server: SocketAddr) -> io::Result<Option<UdpSocket>> {
    use rand::Rng;
    let any: std::net::IpAddr = if server.is_ipv4() {
        std::net::Ipv4Addr::UNSPECIFIED.into()
    } else {
        std::net::Ipv6Addr::UNSPECIFIED.into()
    };
    let reserved = reserved_ports();
    let mut sock = None;
    for _ in 0..PORT_TRIES {
        let port = OsRng.gen_range(LOWEST_SOURCE_PORT..=u16::MAX);
        if reserved.iter().any(|r| r.contains(&port)) {
            continue;
        }
        match UdpSocket::bind((any, port)).await {
            Ok(s) => {
                sock = Some(s);
                break;
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::AddrInUse | io::ErrorKind::PermissionDenied
                ) => {}
            Err(e) => return Err(e),
        }
    }
    // A host with nearly every port taken: the kernel's random ephemeral
    // port beats no query at all.
    let sock = match sock {
        Some(s) => s,
        None => UdpSocket::bind((any, 0)).await?,
    };
    Ok(sock.connect(server).await.ok().map(|()| sock))
}

/// The ports the administrator reserved from automatic use, read once.
fn reserved_ports() -> &'static [std::ops::RangeInclusive<u16>] {
    static RESERVED: OnceLock<Vec<std::ops::RangeInclusive<u16>>> = OnceLock::new();
    RESERVED.get_or_init(|| {
        #[cfg(target_os = "linux")]
        {
            std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_reserved_ports")
                .map(|s| port_ranges(&s))
                .unwrap_or_default()
        }
        #[cfg(not(target_os = "linux"))]
        {
            Vec::new()
        }
    })
}

/// A port list as Linux writes it (`8080,9000-9100`); what does not parse is
/// left out.
pub(crate) fn port_ranges(list: &str) -> Vec<std::ops::RangeInclusive<u16>> {
    list.trim()
        .split(',')
        .filter_map(|item| {
            let (lo, hi) = item
                .trim()
                .split_once('-')
                .unwrap_or((item.trim(), item.trim()));
            Some(lo.trim().parse().ok()?..=hi.trim().parse().ok()?)
        })
        .collect()
}

/// Sends `query` over UDP from a fresh socket ([`query_socket`]: a random
/// port, connected to the server) and hands every datagram that arrives
/// before `timeout` to `accept`, until it returns true. The sans-IO
/// resolver, not the transport, decides what matches (RFC 5452).
///
/// Ok(false): no accepted answer — a timeout, or the server unreachable
/// (no route, the send failed, or an ICMP error came back). Err: a local
/// failure (no socket), which is no server's fault.
async fn udp_exchange(
    server: SocketAddr,
    query: &[u8],
    timeout: Duration,
    mut accept: impl FnMut(SocketAddr, &[u8]) -> bool,
) -> io::Result<bool> {
    let Some(sock) = query_socket(server).await? else {
        return Ok(false);
    };
    if sock.send(query).await.is_err() {
        return Ok(false);
    }
    let deadline = Instant::now() + timeout;
    let mut buf = vec![0u8; 65_535];
    loop {
        match timeout_at(deadline, sock.recv_from(&mut buf)).await {
            Err(_) | Ok(Err(_)) => return Ok(false),
            Ok(Ok((n, from))) => {
                if accept(from, &buf[..n]) {
                    return Ok(true);
                }
            }
        }
    }
}

/// One query over TCP with the 2-byte length prefix (RFC 1035 §4.2.2, RFC 7766 §8).
pub async fn tcp_exchange(
    server: SocketAddr,
    query: &[u8],
    timeout: Duration,
) -> io::Result<Vec<u8>> {
    let mut got = None;
    tcp_exchange_until(server, query, timeout, |resp| {
        got = Some(resp.to_vec());
        true
    })
    .await?;
    got.ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "no response"))
}

/// Sends `query` over TCP (RFC 1035 §4.2.2, RFC 7766 §8) and hands each
/// response read from the connection to `accept` until it returns true:
/// RFC 7766 §7, the client matches responses to its query by ID and
/// question, so one that does not match is skipped and the next read.
/// Fails when the connection closes or `timeout` passes first.
async fn tcp_exchange_until(
    server: SocketAddr,
    query: &[u8],
    timeout: Duration,
    mut accept: impl FnMut(&[u8]) -> bool,
) -> io::Result<()> {
    let deadline = Instant::now() + timeout;
    let timed_out = |_| {
        io::Error::new(
            io::ErrorKind::TimedOut,
            format!("TCP exchange with {server}"),
        )
    };
    timeout_at(deadline, async {
        let mut s = TcpStream::connect(server).await?;
        let len = u16::try_from(query.len())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "query over 65535 bytes"))?;
        let mut framed = Vec::with_capacity(query.len() + 2);
        framed.extend_from_slice(&len.to_be_bytes());
        framed.extend_from_slice(query);
        s.write_all(&framed).await?;
        let mut resp = Vec::new();
        loop {
            let mut len = [0u8; 2];
            s.read_exact(&mut len).await?;
            resp.resize(usize::from(u16::from_be_bytes(len)), 0);
            s.read_exact(&mut resp).await?;
            if accept(&resp) {
                return Ok(());
            }
        }
    })
    .await
    .map_err(timed_out)?
}

/// Sends one query as given (RD as the message says) and returns the parsed
/// response, over UDP and then TCP if truncated: a stub's single exchange,
/// run by [`Stub::exchange`] (its checks, RFC 5452 §9.1 on both legs).
pub async fn query_async(
    server: SocketAddr,
    message: &Message,
    timeout: Duration,
) -> io::Result<Message> {
    let mut exchange = Stub::exchange(server, message.clone(), timeout)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "a query has one question"))?;
    drive(&mut exchange).await?;
    exchange
        .last_response()
        .cloned()
        .ok_or_else(|| io::Error::new(io::ErrorKind::TimedOut, format!("no answer from {server}")))
}

/// [`query_async`], blocking.
pub fn query(server: SocketAddr, message: &Message, timeout: Duration) -> io::Result<Message> {
    block_on(query_async(server, message, timeout))?
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
    /// The first [`EXCHANGE_SAMPLE`] datagrams (or TCP messages) received
    /// while it was outstanding, whoever sent them.
    pub responses: Vec<(SocketAddr, Vec<u8>)>,
    /// How many more arrived and were not kept (issue 14, defect 7: a flood
    /// of forgeries is counted, not copied).
    pub more: u64,
}

impl Exchange {
    /// Keeps a copy of a datagram while the sample has room, else counts it.
    fn keep(&mut self, from: SocketAddr, datagram: &[u8]) {
        if self.responses.len() < EXCHANGE_SAMPLE {
            self.responses.push((from, datagram.to_vec()));
        } else {
            self.more = self.more.saturating_add(1);
        }
    }
}

/// Runs an iterative lookup to its end, `timeout` per query and the
/// lookup's own deadline overall ([`Iterative::start`], from [`now`] if the
/// caller did not start it), handing every [`Exchange`] to `observe` (for
/// traces and captures). Err only for a local failure (no socket, a query
/// that cannot be encoded): a server's silence or error is the lookup's
/// business, and ends in an [`Outcome`].
pub async fn resolve_async(
    lookup: &mut Iterative,
    timeout: Duration,
    mut observe: impl FnMut(Exchange),
) -> io::Result<Outcome> {
    if lookup.last_time().is_none() {
        lookup.start(now());
    }
    loop {
        lookup.handle_time(now());
        match lookup.poll(&mut OsRng) {
            Step::Done(outcome) => return Ok(outcome),
            // Nothing is outstanding after every branch below: poll will not ask to wait.
            Step::Wait => lookup.handle_timeout(),
            Step::Query {
                server,
                message,
                tcp,
            } => {
                let bytes = message.to_bytes().map_err(invalid)?;
                let wait = lookup
                    .deadline()
                    .map_or(timeout, |d| timeout.min(d.saturating_duration_since(now())));
                let mut seen = Exchange {
                    server,
                    tcp,
                    query: bytes.clone(),
                    responses: Vec::new(),
                    more: 0,
                };
                // Each datagram, or each message on the connection, goes to
                // the resolver's check (RFC 5452 §9.1, RFC 7766 §7), which
                // reads its header first; still waiting means it did not
                // match: keep listening.
                let mut take = |from: SocketAddr, resp: &[u8]| {
                    seen.keep(from, resp);
                    lookup.handle_time(now());
                    lookup.handle_datagram(from, resp);
                    !lookup.is_waiting()
                };
                let answered = if tcp {
                    // A refused or reset connection is the server's failure.
                    tcp_exchange_until(server, &bytes, wait, |resp| take(server, resp))
                        .await
                        .is_ok()
                } else {
                    udp_exchange(server, &bytes, wait, take).await?
                };
                if !answered && lookup.is_waiting() {
                    lookup.handle_timeout();
                }
                observe(seen);
            }
        }
    }
}

/// [`resolve_async`], blocking, without an observer.
pub fn resolve(lookup: &mut Iterative, timeout: Duration) -> io::Result<Outcome> {
    resolve_observed(lookup, timeout, |_| {})
}

/// [`resolve_async`], blocking.
pub fn resolve_observed(
    lookup: &mut Iterative,
    timeout: Duration,
    observe: impl FnMut(Exchange),
) -> io::Result<Outcome> {
    block_on(resolve_async(lookup, timeout, observe))?
}

/// What [`drive`] needs of a sans-IO lookup: the calls [`Stub`] and
/// [`NetworkLookup`] share.
pub(crate) trait Machine {
    fn handle_time(&mut self, now: Tick);
    fn poll(&mut self, rng: &mut OsRng) -> Step;
    fn poll_timeout(&self) -> Option<Tick>;
    fn handle_timeout(&mut self, now: Tick);
    fn handle_error(&mut self, why: &str);
    fn handle_datagram(&mut self, from: SocketAddr, datagram: &[u8]);
    fn is_waiting(&self) -> bool;
}

macro_rules! machine {
    ($($t:ty),*) => {$(
        impl Machine for $t {
            fn handle_time(&mut self, now: Tick) {
                <$t>::handle_time(self, now)
            }
            fn poll(&mut self, rng: &mut OsRng) -> Step {
                <$t>::poll(self, rng)
            }
            fn poll_timeout(&self) -> Option<Tick> {
                <$t>::poll_timeout(self)
            }
            fn handle_timeout(&mut self, now: Tick) {
                <$t>::handle_timeout(self, now)
            }
            fn handle_error(&mut self, why: &str) {
                <$t>::handle_error(self, why)
            }
            fn handle_datagram(&mut self, from: SocketAddr, datagram: &[u8]) {
                <$t>::handle_datagram(self, from, datagram)
            }
            fn is_waiting(&self) -> bool {
                <$t>::is_waiting(self)
            }
        }
    )*};
}

machine!(Stub, NetworkLookup);

/// Drives a pipeline lookup (stub or iterative) to its end over UDP, and
/// over TCP when the machine asks (after a truncated answer). The machine
/// sets each query's deadline ([`NetworkLookup::poll_timeout`]) and checks
/// every datagram and TCP message ([`NetworkLookup::handle_datagram`]); a
/// server's silence, refusal or broken connection is fed back to it. Err
/// only for a local failure (no socket, a query that cannot be encoded).
pub(crate) async fn drive(lookup: &mut impl Machine) -> io::Result<Outcome> {
    loop {
        lookup.handle_time(now());
        match lookup.poll(&mut OsRng) {
            Step::Done(outcome) => return Ok(outcome),
            // Nothing awaits a response after each branch below; should a
            // machine still wait, its timer is due now.
            Step::Wait => {
                let due = lookup.poll_timeout().map_or(now(), |d| d.max(now()));
                lookup.handle_timeout(due);
                if lookup.is_waiting() {
                    lookup.handle_error("no timer for the outstanding query");
                }
            }
            Step::Query {
                server,
                message,
                tcp,
            } => {
                let bytes = message.to_bytes().map_err(invalid)?;
                // Without a deadline from the machine (it was given no
                // time), glibc's default timeout.
                let deadline = lookup.poll_timeout();
                let wait = deadline.map_or(Duration::from_secs(5), |d| {
                    d.saturating_duration_since(now())
                });
                let mut take = |from: SocketAddr, resp: &[u8]| {
                    lookup.handle_time(now());
                    lookup.handle_datagram(from, resp);
                    !lookup.is_waiting()
                };
                let failed = if tcp {
                    match tcp_exchange_until(server, &bytes, wait, |resp| take(server, resp)).await
                    {
                        Ok(()) => None,
                        Err(e) if e.kind() == io::ErrorKind::TimedOut => Some(None),
                        // Our own failure, no server's: the lookup ends.
                        Err(e) if is_local(&e) => return Err(e),
                        Err(e) => Some(Some(e.to_string())),
                    }
                } else if udp_exchange(server, &bytes, wait, take).await? {
                    None
                } else {
                    Some(None)
                };
                match failed {
                    Some(_) if !lookup.is_waiting() => {}
                    Some(None) => {
                        let due = deadline.map_or(now(), |d| d.max(now()));
                        lookup.handle_timeout(due);
                    }
                    Some(Some(why)) => lookup.handle_error(&why),
                    None => {}
                }
            }
        }
    }
}

/// True for an exchange's error that is ours, not the server's: anything
/// but a timeout, a refused or broken connection, or a server's bad message.
pub(crate) fn is_local(e: &io::Error) -> bool {
    use io::ErrorKind as K;
    !matches!(
        e.kind(),
        K::TimedOut
            | K::ConnectionRefused
            | K::ConnectionReset
            | K::ConnectionAborted
            | K::BrokenPipe
            | K::NotConnected
            | K::UnexpectedEof
            | K::InvalidData
            | K::HostUnreachable
            | K::NetworkUnreachable
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_lists_read_as_linux_writes_them() {
        // Documentation/networking/ip-sysctl.rst: "comma separated list of
        // ranges", e.g. "8080,9148,37000-37500".
        assert_eq!(
            port_ranges("8080,9148,37000-37500\n"),
            [8080..=8080, 9148..=9148, 37000..=37500]
        );
        assert_eq!(port_ranges("\n"), []);
        assert_eq!(port_ranges("1-x,70000,5"), [5..=5]);
    }
}
