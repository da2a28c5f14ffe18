//! The Linux kernel as a script's stack under test: its sockets in a
//! namespace of our own, the script's segments written to and read from
//! the TUN device in real time.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use handshake_io::kernel::{self, SockState};
use handshake_io::link::Link;
use handshake_io::netns::{NetConfig, NetError, TestNet};
use handshake_io::packet::decode;

use super::ours::state_name;
use super::parse::Call;
use super::{write_payload, Stack, SCRIPT_ADDR, SCRIPT_PORT, SUT_ADDR, SUT_PORT};
use handshake_tcp::conn::State;

/// The kernel under test.
pub struct Kernel {
    net: TestNet,
    link: Link,
    start: Instant,
    listener: Option<TcpListener>,
    stream: Option<TcpStream>,
}

impl Kernel {
    /// A fresh namespace with a TUN device; the error says why not (skip
    /// when [`NetError::is_unsupported`]).
    pub fn new(seed: u64) -> Result<Kernel, NetError> {
        let (net, tun) = TestNet::new(NetConfig::default())?;
        // Linux 6.7+ retransmits the first SYNs on a linear 1 s schedule
        // (tcp_syn_linear_timeouts, default 4); scripts check RFC 6298 §5.5's
        // doubling, so this namespace of ours turns it off where it exists.
        net.run(|| {
            let p = "/proc/sys/net/ipv4/tcp_syn_linear_timeouts";
            if std::path::Path::new(p).exists() {
                let _ = std::fs::write(p, "0");
            }
        })?;
        let tun = tun.ok_or_else(|| NetError::Thread("no TUN device".into()))?;
        let link = Link::new(tun, seed).map_err(|e| NetError::Io {
            what: "TUN device".into(),
            source: e,
        })?;
        Ok(Kernel {
            net,
            link,
            start: Instant::now(),
            listener: None,
            stream: None,
        })
    }

    /// The capture of the run.
    pub fn link(&self) -> &Link {
        &self.link
    }
}

fn errno_name(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        WouldBlock => "EAGAIN".into(),
        ConnectionReset => "ECONNRESET".into(),
        ConnectionRefused => "ECONNREFUSED".into(),
        TimedOut => "ETIMEDOUT".into(),
        BrokenPipe => "EPIPE".into(),
        NotConnected => "ENOTCONN".into(),
        _ => format!("{e}"),
    }
}

/// The kernel's socket state as RFC 9293 names it (`ss` shows no socket
/// once it is closed).
fn ss_state(s: SockState) -> State {
    match s {
        SockState::Listen => State::Listen,
        SockState::SynSent => State::SynSent,
        SockState::SynRecv => State::SynReceived,
        SockState::Established => State::Established,
        SockState::FinWait1 => State::FinWait1,
        SockState::FinWait2 => State::FinWait2,
        SockState::CloseWait => State::CloseWait,
        SockState::Closing => State::Closing,
        SockState::LastAck => State::LastAck,
        SockState::TimeWait => State::TimeWait,
        SockState::Other => State::Closed,
    }
}

impl Stack for Kernel {
    fn name(&self) -> &'static str {
        "kernel"
    }

    fn now(&self) -> Duration {
        self.start.elapsed()
    }

    fn next_output(&mut self, deadline: Duration) -> Option<(Duration, Vec<u8>)> {
        loop {
            let wait = deadline.saturating_sub(self.now());
            let p = self.link.recv(wait).ok()??;
            // Only TCP from the kernel's address to the script's counts.
            if decode(&p).is_ok_and(|d| d.src == SUT_ADDR && d.dst == SCRIPT_ADDR) {
                return Some((self.now(), p));
            }
        }
    }

    fn inject(&mut self, datagram: Vec<u8>) {
        let _ = self.link.send(datagram);
    }

    fn call(&mut self, call: &Call) -> String {
        let ok = || "ok".to_string();
        match call.name.as_str() {
            "listen" => match kernel::listen(&self.net, (SUT_ADDR, SUT_PORT).into(), None) {
                Ok(l) => {
                    let _ = l.set_nonblocking(true);
                    self.listener = Some(l);
                    ok()
                }
                Err(e) => errno_name(&e),
            },
            "accept" => match self.listener.as_ref().map(TcpListener::accept) {
                Some(Ok((s, _))) => {
                    let _ = s.set_nonblocking(true);
                    self.stream = Some(s);
                    ok()
                }
                Some(Err(e)) => errno_name(&e),
                None => "EINVAL".into(),
            },
            "connect" => {
                match kernel::connect_nonblocking(&self.net, (SCRIPT_ADDR, SCRIPT_PORT).into()) {
                    Ok(s) => {
                        self.stream = Some(s);
                        ok()
                    }
                    Err(e) => e.to_string(),
                }
            }
            "connected" => match &self.stream {
                Some(s) => match kernel::take_error(s) {
                    Ok(Some(e)) => errno_name(&e),
                    Ok(None) if s.peer_addr().is_ok() => ok(),
                    Ok(None) => "EINPROGRESS".into(),
                    Err(e) => errno_name(&e),
                },
                None => "ENOTCONN".into(),
            },
            "write" => match &mut self.stream {
                Some(s) => match s.write(&write_payload(call.arg.unwrap_or(0))) {
                    Ok(n) => n.to_string(),
                    Err(e) => errno_name(&e),
                },
                None => "ENOTCONN".into(),
            },
            "read" => match &mut self.stream {
                Some(s) => {
                    let mut buf = vec![0u8; call.arg.unwrap_or(0) as usize];
                    match s.read(&mut buf) {
                        Ok(0) => "EOF".into(),
                        Ok(n) => n.to_string(),
                        Err(e) => errno_name(&e),
                    }
                }
                None => "ENOTCONN".into(),
            },
            "shutdown" => match &self.stream {
                Some(s) => s
                    .shutdown(Shutdown::Write)
                    .map_or_else(|e| errno_name(&e), |()| ok()),
                None => "ENOTCONN".into(),
            },
            "close" => {
                if self.stream.take().is_none() {
                    self.listener = None;
                }
                ok()
            }
            "abort" => match self.stream.take() {
                Some(s) => kernel::abort(s).map_or_else(|e| errno_name(&e), |()| ok()),
                None => "ENOTCONN".into(),
            },
            "state" => {
                let all = kernel::sockets(&self.net).unwrap_or_default();
                let s = all
                    .iter()
                    .find(|i| i.peer.is_some_and(|p| p.port() == SCRIPT_PORT))
                    .map_or("CLOSED", |i| state_name(ss_state(i.state)));
                if Some(s) == call.text.as_deref() {
                    ok()
                } else {
                    s.into()
                }
            }
            other => format!("unknown call {other}"),
        }
    }
}
