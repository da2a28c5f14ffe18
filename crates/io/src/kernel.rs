//! The kernel's side of an interop run (Linux): sockets made inside a
//! [`TestNet`] and what `ss` says about them.
//!
//! ```no_run
//! use handshake_io::kernel::{sockets, SockState};
//! use handshake_io::netns::{NetConfig, TestNet};
//! let (net, _tun) = TestNet::new(NetConfig::default())?;
//! let all = sockets(&net)?;
//! assert!(all.iter().all(|s| s.state != SockState::Other));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::{AsFd, OwnedFd};
use std::time::Duration;

use rustix::net::{AddressFamily, SocketFlags, SocketType};

use crate::netns::{NetError, TestNet};

/// A TCP state as `ss` names it (RFC 9293 §3.3.2 names in brackets).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SockState {
    /// LISTEN.
    Listen,
    /// SYN-SENT.
    SynSent,
    /// SYN-RECEIVED (`SYN-RECV`).
    SynRecv,
    /// ESTABLISHED (`ESTAB`).
    Established,
    /// FIN-WAIT-1.
    FinWait1,
    /// FIN-WAIT-2.
    FinWait2,
    /// CLOSE-WAIT.
    CloseWait,
    /// CLOSING.
    Closing,
    /// LAST-ACK.
    LastAck,
    /// TIME-WAIT.
    TimeWait,
    /// Anything else (`UNCONN`, `CLOSED`).
    Other,
}

impl SockState {
    fn parse(s: &str) -> SockState {
        match s {
            "LISTEN" => SockState::Listen,
            "SYN-SENT" => SockState::SynSent,
            "SYN-RECV" => SockState::SynRecv,
            "ESTAB" => SockState::Established,
            "FIN-WAIT-1" => SockState::FinWait1,
            "FIN-WAIT-2" => SockState::FinWait2,
            "CLOSE-WAIT" => SockState::CloseWait,
            "CLOSING" => SockState::Closing,
            "LAST-ACK" => SockState::LastAck,
            "TIME-WAIT" => SockState::TimeWait,
            _ => SockState::Other,
        }
    }
}

/// One line of `ss -tani` in the namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SockInfo {
    /// The state.
    pub state: SockState,
    /// Bytes received and not read (or, listening, the accept queue).
    pub recv_q: u64,
    /// Bytes sent and not acknowledged.
    pub send_q: u64,
    /// Local address.
    pub local: SocketAddr,
    /// Peer address (unspecified for a listener).
    pub peer: Option<SocketAddr>,
    /// The `-i` details: `wscale:7,7`, `sack`, `ts`, `mss:1460`, `rto:204` ...
    pub info: Vec<String>,
}

impl SockInfo {
    /// The value of `key:value` in the details, if present.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.info
            .iter()
            .find_map(|f| f.strip_prefix(key).and_then(|r| r.strip_prefix(':')))
    }

    /// True when a bare flag (`sack`, `ts`) is among the details.
    pub fn has(&self, flag: &str) -> bool {
        self.info.iter().any(|f| f == flag)
    }
}

/// Every TCP socket in the namespace, with `ss -tani`'s details.
pub fn sockets(net: &TestNet) -> Result<Vec<SockInfo>, NetError> {
    let out = net.command("ss", &["-tanHi"])?;
    Ok(parse_ss(&out))
}

/// Parses `ss -tanHi` output: a socket line, then its indented detail line.
pub fn parse_ss(out: &str) -> Vec<SockInfo> {
    let mut v: Vec<SockInfo> = Vec::new();
    for line in out.lines() {
        if line.starts_with(char::is_whitespace) {
            if let Some(last) = v.last_mut() {
                last.info
                    .extend(line.split_whitespace().map(str::to_string));
            }
            continue;
        }
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.len() < 5 {
            continue;
        }
        let Ok(local) = cols[3].parse() else { continue };
        v.push(SockInfo {
            state: SockState::parse(cols[0]),
            recv_q: cols[1].parse().unwrap_or(0),
            send_q: cols[2].parse().unwrap_or(0),
            local,
            peer: cols[4].parse().ok(),
            info: Vec::new(),
        });
    }
    v
}

/// Starts a non-blocking `connect()` from inside the namespace (it returns
/// at once; the handshake goes on in the kernel). The stream is left
/// non-blocking.
pub fn connect_nonblocking(net: &TestNet, remote: SocketAddr) -> Result<TcpStream, NetError> {
    net.run(move || -> io::Result<TcpStream> {
        let fd: OwnedFd = rustix::net::socket_with(
            family(remote),
            SocketType::STREAM,
            SocketFlags::NONBLOCK | SocketFlags::CLOEXEC,
            None,
        )?;
        match rustix::net::connect(&fd, &remote) {
            Ok(()) | Err(rustix::io::Errno::INPROGRESS) => {}
            Err(e) => return Err(e.into()),
        }
        Ok(TcpStream::from(fd))
    })?
    .map_err(|e| NetError::Io {
        what: format!("connect to {remote}"),
        source: e,
    })
}

/// A blocking `connect()` from inside the namespace, at most `timeout`.
pub fn connect(net: &TestNet, remote: SocketAddr, timeout: Duration) -> io::Result<TcpStream> {
    net.run(move || TcpStream::connect_timeout(&remote, timeout))
        .map_err(io::Error::other)?
}

/// The socket family of `addr`.
fn family(addr: SocketAddr) -> AddressFamily {
    match addr {
        SocketAddr::V4(_) => AddressFamily::INET,
        SocketAddr::V6(_) => AddressFamily::INET6,
    }
}

/// A listener inside the namespace; `rcvbuf` sets SO_RCVBUF before
/// `listen()` so accepted sockets inherit it (and the window scale the
/// kernel offers follows from it).
pub fn listen(net: &TestNet, addr: SocketAddr, rcvbuf: Option<usize>) -> io::Result<TcpListener> {
    net.run(move || -> io::Result<TcpListener> {
        let fd: OwnedFd =
            rustix::net::socket_with(family(addr), SocketType::STREAM, SocketFlags::CLOEXEC, None)?;
        rustix::net::sockopt::set_socket_reuseaddr(&fd, true)?;
        if let Some(n) = rcvbuf {
            rustix::net::sockopt::set_socket_recv_buffer_size(&fd, n)?;
        }
        rustix::net::bind(&fd, &addr)?;
        rustix::net::listen(&fd, 16)?;
        Ok(TcpListener::from(fd))
    })
    .map_err(io::Error::other)?
}

/// Waits for a connection on `l` at most `timeout`.
pub fn accept(l: &TcpListener, timeout: Duration) -> io::Result<TcpStream> {
    l.set_nonblocking(true)?;
    let end = std::time::Instant::now() + timeout;
    loop {
        match l.accept() {
            Ok((s, _)) => {
                s.set_nonblocking(false)?;
                return Ok(s);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                if std::time::Instant::now() >= end {
                    return Err(io::Error::new(io::ErrorKind::TimedOut, "accept timed out"));
                }
                std::thread::sleep(Duration::from_millis(2));
            }
            Err(e) => return Err(e),
        }
    }
}

/// Closes with SO_LINGER 0: the kernel sends RST instead of FIN (RFC 9293
/// §3.10.5 ABORT).
pub fn abort(s: TcpStream) -> io::Result<()> {
    rustix::net::sockopt::set_socket_linger(s.as_fd(), Some(Duration::ZERO))?;
    drop(s);
    Ok(())
}

/// Sets SO_RCVBUF (the kernel doubles it for bookkeeping).
pub fn set_rcvbuf(s: &impl AsFd, n: usize) -> io::Result<()> {
    Ok(rustix::net::sockopt::set_socket_recv_buffer_size(s, n)?)
}

/// The pending socket error (SO_ERROR): how a non-blocking connect ended.
pub fn take_error(s: &impl AsFd) -> io::Result<Option<io::Error>> {
    Ok(rustix::net::sockopt::socket_error(s)?
        .err()
        .map(io::Error::from))
}
