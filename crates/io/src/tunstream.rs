//! Our own TCP/IP as a tokio byte stream, toward a real server (Linux).
//!
//! [`connect`] makes a private network namespace with a TUN device
//! ([`crate::netns`]), runs our sans-IO TCP over it ([`crate::driver`]) on a
//! thread of its own, and opens a connection to the kernel in the namespace
//! at [`KERNEL_ADDR`]. The kernel there stands in for the server: a relay
//! listening at `KERNEL_ADDR:port` carries the bytes to and from the real
//! server through a socket of the host (connected first, so a refused or
//! unreachable server fails [`connect`] as an OS socket would). Every IP
//! datagram and TCP segment on the client's side is ours, and every one is
//! recorded ([`TunHandle::packets`]) for a capture or a ladder.
//!
//! The namespace has no interface but `lo` and the TUN device, so nothing
//! our stack sends can leave it; the relay's host socket is an ordinary
//! client socket to the address the caller gave.
//!
//! ```no_run
//! # async fn f() -> std::io::Result<()> {
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//! let mut s = handshake_io::tunstream::connect(
//!     "127.0.0.1:8080".parse().unwrap(),
//!     handshake_io::tunstream::Options::default(),
//! )
//! .await?;
//! s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await?;
//! let mut reply = Vec::new();
//! s.read_to_end(&mut reply).await?;
//! # Ok(()) }
//! ```

use std::collections::VecDeque;
use std::io;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::{Duration, Instant};

use handshake_tcp::conn::{Config, Event, State, Stats};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::driver::Driver;
use crate::fault::Rule;
use crate::link::Link;
use crate::netns::{NetConfig, TestNet, KERNEL_ADDR, OUR_ADDR};

/// Bytes buffered between the stream and the driver thread, each way.
const BUFFER: usize = 256 << 10;
/// How long the driver thread sleeps at most between two looks at the
/// stream's buffers (a write waits this long at worst to be sent).
const TICK: Duration = Duration::from_millis(2);
/// How long the handshake may take.
const CONNECT_LIMIT: Duration = Duration::from_secs(10);
/// How long the orderly close may take once the stream is dropped, before
/// the namespace is removed.
const CLOSE_LIMIT: Duration = Duration::from_secs(3);
/// Our local port: the first of the dynamic range (RFC 6335 §6); the
/// namespace is ours alone, so nothing else uses it.
const LOCAL_PORT: u16 = 49152;

/// How to connect.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Our TCP's settings.
    pub config: Config,
    /// Fault rules on the TUN link (an on-path attacker, loss, delay).
    pub faults: Vec<Rule>,
    /// A TAP device instead of TUN: our ARP cache resolves the kernel's
    /// MAC before the SYN goes, and the frames are kept
    /// ([`TunHandle::frames`]).
    pub tap: bool,
}

/// Our MAC on the TAP segment (locally administered).
const OUR_MAC: handshake_link::MacAddr =
    handshake_link::MacAddr([0x02, 0x00, 0x5e, 0x00, 0x53, 0x02]);

/// What the driver thread and the stream share.
#[derive(Debug, Default)]
struct Shared {
    /// Bytes written by the application, not yet taken by our TCP.
    out: VecDeque<u8>,
    /// Bytes our TCP delivered, not yet read by the application.
    inb: VecDeque<u8>,
    /// The peer's FIN was read through.
    eof: bool,
    /// The application shut its side down.
    shutdown: bool,
    /// The stream is gone: close and end.
    dropped: bool,
    /// Why the connection failed, once it has.
    error: Option<(io::ErrorKind, String)>,
    state: Option<State>,
    stats: Option<Stats>,
    /// Every datagram on the link, with its time since `origin`.
    packets: Vec<(Duration, Vec<u8>)>,
    /// Over TAP, every Ethernet frame, with its time since `origin`.
    frames: Vec<(Duration, Vec<u8>)>,
    /// Lines of the faults applied.
    faults: Vec<String>,
    origin: Option<Instant>,
    reader: Option<Waker>,
    writer: Option<Waker>,
    /// The driver thread ended.
    finished: bool,
}

fn lock(s: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    s.lock().unwrap_or_else(|e| e.into_inner())
}

/// A view of a [`TunStream`]'s connection that outlives the stream: its
/// packets, state and counters.
#[derive(Debug, Clone)]
pub struct TunHandle {
    shared: Arc<Mutex<Shared>>,
    peer: SocketAddr,
    server: SocketAddr,
}

impl TunHandle {
    /// Every IP datagram on the TUN link so far, both ways, with its time
    /// since [`TunHandle::origin`].
    pub fn packets(&self) -> Vec<(Duration, Vec<u8>)> {
        lock(&self.shared).packets.clone()
    }

    /// Over TAP, every Ethernet frame so far (ARP, neighbour discovery and
    /// the IP packets in their frames), with its time since
    /// [`TunHandle::origin`]; empty over TUN.
    pub fn frames(&self) -> Vec<(Duration, Vec<u8>)> {
        lock(&self.shared).frames.clone()
    }

    /// When the link's clock started.
    pub fn origin(&self) -> Instant {
        lock(&self.shared).origin.unwrap_or_else(Instant::now)
    }

    /// Our connection's state (RFC 9293 §3.3.2), the last one seen once
    /// the driver has ended; `None` before the first.
    pub fn state(&self) -> Option<State> {
        lock(&self.shared).state
    }

    /// Our connection's counters (retransmissions, fast retransmits, RTOs).
    pub fn stats(&self) -> Option<Stats> {
        lock(&self.shared).stats
    }

    /// One line per fault the link applied.
    pub fn fault_log(&self) -> Vec<String> {
        lock(&self.shared).faults.clone()
    }

    /// The kernel's end in the namespace that our TCP is connected to.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// The real server the relay carries the bytes to.
    pub fn server(&self) -> SocketAddr {
        self.server
    }

    /// Waits (at most `limit`) until the connection has left the states
    /// in which segments still flow after our close: it is in TIME-WAIT or
    /// CLOSED, or the driver ended. True if it did.
    pub async fn closed(&self, limit: Duration) -> bool {
        let end = Instant::now() + limit;
        loop {
            {
                let s = lock(&self.shared);
                if s.finished || matches!(s.state, Some(State::TimeWait | State::Closed)) {
                    return true;
                }
            }
            if Instant::now() >= end {
                return false;
            }
            tokio::time::sleep(TICK * 2).await;
        }
    }
}

/// Our TCP connection through the TUN device, as a tokio stream.
#[derive(Debug)]
pub struct TunStream {
    handle: TunHandle,
}

/// Connects to `server` with our own TCP/IP through a TUN device in a
/// private network namespace (see the module's documentation).
///
/// Fails as an OS connect would when `server` refuses or cannot be reached;
/// with [`io::ErrorKind::Unsupported`] when the machine cannot make the
/// namespace (it needs CAP_NET_ADMIN and `/dev/net/tun`); with
/// [`io::ErrorKind::TimedOut`] when our handshake with the namespace's
/// kernel does not complete.
pub async fn connect(server: SocketAddr, options: Options) -> io::Result<TunStream> {
    tokio::task::spawn_blocking(move || connect_blocking(server, options))
        .await
        .map_err(io::Error::other)?
}

fn connect_blocking(server: SocketAddr, options: Options) -> io::Result<TunStream> {
    let upstream = TcpStream::connect(server)?;
    let config = NetConfig {
        tap: options.tap,
        ..NetConfig::default()
    };
    let (net, tun) = TestNet::new(config).map_err(|e| {
        let kind = if e.is_unsupported() {
            io::ErrorKind::Unsupported
        } else {
            io::ErrorKind::Other
        };
        io::Error::new(kind, format!("network namespace: {e}"))
    })?;
    let tun = tun.ok_or_else(|| io::Error::other("no TUN device"))?;
    let port = server.port();
    let listener = net
        .run(move || TcpListener::bind((KERNEL_ADDR, port)))
        .map_err(io::Error::other)??;
    let peer = SocketAddr::from((KERNEL_ADDR, port));
    let shared = Arc::new(Mutex::new(Shared::default()));
    let mut link = if options.tap {
        Link::over_tap(crate::tap::TapPort::new(tun, OUR_MAC, OUR_ADDR)?, 0)
    } else {
        Link::new(tun, 0)?
    };
    for r in options.faults {
        link.faults.add(r);
    }
    lock(&shared).origin = Some(Instant::now() - link.elapsed());
    let relay = thread::Builder::new()
        .name("tunstream-relay".into())
        .spawn(move || relay(listener, upstream))?;
    let mut driver = Driver::new(link);
    let id = driver.connect(options.config, LOCAL_PORT, peer);
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let s = Arc::clone(&shared);
    thread::Builder::new()
        .name("tunstream-driver".into())
        .spawn(move || {
            let r = drive(&mut driver, id, &s, ready_tx);
            let mut sh = lock(&s);
            if let Err(e) = r {
                sh.error.get_or_insert((e.kind(), e.to_string()));
            }
            sh.finished = true;
            wake(&mut sh);
            drop(sh);
            drop(driver);
            drop(net);
            let _ = relay.join();
        })?;
    match ready_rx.recv_timeout(CONNECT_LIMIT + Duration::from_secs(1)) {
        Ok(Ok(())) => Ok(TunStream {
            handle: TunHandle {
                shared,
                peer,
                server,
            },
        }),
        Ok(Err(e)) => {
            lock(&shared).dropped = true;
            Err(e)
        }
        Err(_) => {
            lock(&shared).dropped = true;
            Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "our TCP's handshake through the TUN device did not complete",
            ))
        }
    }
}

fn wake(s: &mut Shared) {
    if let Some(w) = s.reader.take() {
        w.wake();
    }
    if let Some(w) = s.writer.take() {
        w.wake();
    }
}

/// The kernel's side: accepts our connection in the namespace and copies
/// bytes both ways to the real server, passing each direction's end on.
fn relay(listener: TcpListener, upstream: TcpStream) {
    let _ = listener.set_nonblocking(true);
    let end = Instant::now() + CONNECT_LIMIT;
    let down = loop {
        match listener.accept() {
            Ok((s, _)) => break s,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock && Instant::now() < end => {
                thread::sleep(TICK);
            }
            Err(_) => return,
        }
    };
    drop(listener);
    let _ = down.set_nonblocking(false);
    let _ = down.set_nodelay(true);
    let _ = upstream.set_nodelay(true);
    let (Ok(down2), Ok(up2)) = (down.try_clone(), upstream.try_clone()) else {
        return;
    };
    let t = thread::spawn(move || pipe(down2, up2));
    pipe(upstream, down);
    let _ = t.join();
}

/// Copies `from` to `to` until `from` ends, then ends `to`'s writing side.
fn pipe(mut from: TcpStream, mut to: TcpStream) {
    let _ = io::copy(&mut from, &mut to);
    let _ = to.shutdown(Shutdown::Write);
}

/// The driver thread: our TCP on the link, and the buffers to the stream.
fn drive(
    d: &mut Driver,
    id: crate::driver::ConnId,
    shared: &Mutex<Shared>,
    ready: std::sync::mpsc::Sender<io::Result<()>>,
) -> io::Result<()> {
    let mut ready = Some(ready);
    let start = Instant::now();
    let mut closed_at: Option<Instant> = None;
    let mut close_sent = false;
    let mut recorded = 0;
    let mut frames_seen = 0;
    let mut faults_seen = 0;
    let mut buf = vec![0u8; 64 << 10];
    loop {
        d.step(TICK)?;
        let mut s = lock(shared);
        let mut woke = false;
        // The application's bytes into our TCP, as far as it takes them.
        while !s.out.is_empty() {
            let (a, _) = s.out.as_slices();
            let n = d.conn(id).send(a);
            if n == 0 {
                break;
            }
            s.out.drain(..n);
            woke = true;
        }
        if (s.shutdown || s.dropped) && s.out.is_empty() && !close_sent {
            d.conn(id).close();
            close_sent = true;
        }
        // Our TCP's bytes to the application, as far as the buffer has room
        // (what stays in our TCP shrinks the window we advertise).
        while s.inb.len() < BUFFER {
            let room = (BUFFER - s.inb.len()).min(buf.len());
            let n = d.conn(id).recv(&mut buf[..room]);
            if n == 0 {
                break;
            }
            s.inb.extend(&buf[..n]);
            woke = true;
        }
        if d.conn(id).recv_finished() && !s.eof {
            s.eof = true;
            woke = true;
        }
        while let Some(e) = d.conn(id).poll_event() {
            let err = match e {
                Event::Connected => {
                    if let Some(r) = ready.take() {
                        let _ = r.send(Ok(()));
                    }
                    None
                }
                Event::Reset => Some((
                    io::ErrorKind::ConnectionReset,
                    "the peer reset the connection",
                )),
                Event::TimedOut => Some((io::ErrorKind::TimedOut, "retransmissions ran out")),
                _ => None,
            };
            if let Some((kind, what)) = err {
                s.error.get_or_insert((kind, what.to_string()));
                woke = true;
            }
        }
        d.flush()?;
        let state = d.conn(id).state();
        s.state = Some(state);
        s.stats = Some(d.conn(id).stats());
        if let Some(c) = d.link.capture() {
            s.packets
                .extend(c.packets().skip(recorded).map(|(at, p)| (at, p.to_vec())));
            recorded = c.len();
        }
        if let Some(port) = d.link.tap() {
            // The port's clock started just before the link's.
            let shift = port.elapsed().saturating_sub(d.link.elapsed());
            s.frames.extend(
                port.frames()
                    .iter()
                    .skip(frames_seen)
                    .map(|(at, f)| (at.saturating_sub(shift), f.clone())),
            );
            frames_seen = port.frames().len();
        }
        let log = d.link.fault_log();
        s.faults.extend(log.iter().skip(faults_seen).cloned());
        faults_seen = log.len();
        if woke {
            wake(&mut s);
        }
        if let Some(r) = &ready {
            let failed = s.error.clone().or_else(|| {
                (start.elapsed() > CONNECT_LIMIT).then(|| {
                    (
                        io::ErrorKind::TimedOut,
                        "our TCP's handshake through the TUN device did not complete".to_string(),
                    )
                })
            });
            if let Some((kind, what)) = failed {
                let _ = r.send(Err(io::Error::new(kind, what)));
                return Ok(());
            }
        }
        if s.error.is_some() || matches!(state, State::Closed) {
            return Ok(());
        }
        if s.dropped {
            // Our FIN is out; stay until the close completes (TIME-WAIT
            // is where its 2*MSL would begin, RFC 9293 §3.6.1: the
            // namespace goes, and with it any segment still in flight).
            let at = *closed_at.get_or_insert_with(Instant::now);
            if matches!(state, State::TimeWait) || at.elapsed() > CLOSE_LIMIT {
                return Ok(());
            }
        }
    }
}

impl TunStream {
    /// A view of the connection that outlives the stream.
    pub fn handle(&self) -> TunHandle {
        self.handle.clone()
    }

    /// Our end: [`OUR_ADDR`] and our port.
    pub fn local_addr(&self) -> SocketAddr {
        SocketAddr::from((OUR_ADDR, LOCAL_PORT))
    }

    /// The kernel's end in the namespace.
    pub fn peer_addr(&self) -> SocketAddr {
        self.handle.peer
    }
}

impl Drop for TunStream {
    fn drop(&mut self) {
        lock(&self.handle.shared).dropped = true;
    }
}

fn failure(s: &Shared) -> Option<io::Error> {
    s.error
        .as_ref()
        .map(|(kind, what)| io::Error::new(*kind, what.clone()))
}

impl AsyncRead for TunStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let mut s = lock(&self.handle.shared);
        if !s.inb.is_empty() {
            let n = s.inb.len().min(buf.remaining());
            let (a, b) = s.inb.as_slices();
            let from_a = n.min(a.len());
            buf.put_slice(&a[..from_a]);
            buf.put_slice(&b[..n - from_a]);
            s.inb.drain(..n);
            return Poll::Ready(Ok(()));
        }
        if s.eof {
            return Poll::Ready(Ok(()));
        }
        if let Some(e) = failure(&s) {
            return Poll::Ready(Err(e));
        }
        if s.finished {
            return Poll::Ready(Ok(()));
        }
        s.reader = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl AsyncWrite for TunStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let mut s = lock(&self.handle.shared);
        if let Some(e) = failure(&s) {
            return Poll::Ready(Err(e));
        }
        if s.shutdown || s.finished {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the connection's sending side is closed",
            )));
        }
        let room = BUFFER.saturating_sub(s.out.len());
        if room == 0 {
            s.writer = Some(cx.waker().clone());
            return Poll::Pending;
        }
        let n = room.min(data.len());
        s.out.extend(&data[..n]);
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut s = lock(&self.handle.shared);
        if let Some(e) = failure(&s) {
            return Poll::Ready(Err(e));
        }
        if s.out.is_empty() || s.finished {
            return Poll::Ready(Ok(()));
        }
        s.writer = Some(cx.waker().clone());
        Poll::Pending
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut s = lock(&self.handle.shared);
        s.shutdown = true;
        if s.out.is_empty() || s.finished {
            return Poll::Ready(Ok(()));
        }
        s.writer = Some(cx.waker().clone());
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// An echo over our TCP through the namespace to a host socket; skipped
    /// where namespaces cannot be made.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn echo_through_the_namespace() {
        if crate::netns::check_support().is_err() {
            eprintln!("skipped: no network namespaces here");
            return;
        }
        let server = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = server.local_addr().unwrap();
        let echo = thread::spawn(move || {
            let (mut s, _) = server.accept().unwrap();
            let mut r = s.try_clone().unwrap();
            io::copy(&mut r, &mut s).unwrap();
        });
        let mut s = connect(addr, Options::default()).await.unwrap();
        let handle = s.handle();
        // 300 kB: more than the stream's buffer and many segments.
        let data: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let (mut r, mut w) = tokio::io::split(&mut s);
        let send = data.clone();
        let writer = async move {
            w.write_all(&send).await.unwrap();
            w.shutdown().await.unwrap();
        };
        let mut got = Vec::new();
        let reader = r.read_to_end(&mut got);
        let ((), n) = tokio::join!(writer, reader);
        assert_eq!(n.unwrap(), data.len());
        assert!(got == data, "echo differs");
        drop(s);
        assert!(handle.closed(Duration::from_secs(5)).await);
        echo.join().unwrap();
        let packets = handle.packets();
        // The first datagram is our SYN from OUR_ADDR to the kernel.
        let first = crate::packet::decode(&packets[0].1).unwrap();
        assert_eq!((first.src, first.dst), (OUR_ADDR, KERNEL_ADDR));
        use handshake_tcp::wire::TcpFlags;
        assert_eq!(
            first.segment.flags & (TcpFlags::SYN | TcpFlags::ACK),
            TcpFlags::SYN
        );
    }

    #[tokio::test]
    async fn refused_like_an_os_socket() {
        if crate::netns::check_support().is_err() {
            return;
        }
        // A port nothing listens on: bind, learn it, close.
        let addr = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let e = connect(addr, Options::default()).await.unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::ConnectionRefused);
    }
}
