//! The one DNS server the cases run in this process: a closure (the script)
//! decides, for each query, what goes back — a genuine answer, forgeries from
//! another address or with another ID, a truncated answer, or nothing (in the
//! spirit of Deckard's .rpl scenarios). UDP and TCP on one address: an
//! OS-chosen port on 127.0.0.1 ([`DnsServer::loopback`], no privileges) or a
//! given one ([`DnsServer::bind`], port 53 on 127.0.0.x for the iterative
//! scenarios, which needs root). Every query received is kept, with its
//! transport and for TCP the length its 2-byte prefix announced, so a case can
//! check what the client sent. Stopped on drop.
//!
//! It is our own code, so a case that runs our resolver against it is a
//! simulation, not interop.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use handshake_dns::wire::Message;

/// One query as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    /// Over TCP rather than UDP.
    pub tcp: bool,
    /// The query bytes (without the TCP length prefix).
    pub bytes: Vec<u8>,
    /// For TCP: the length the 2-byte prefix announced.
    pub framed_len: Option<usize>,
}

/// One message to send back.
#[derive(Debug, Clone)]
pub struct Reply {
    /// Send from this address instead of the server's own (a forgery; UDP
    /// only: over TCP such a reply is not sent, as no one else can write
    /// into the connection).
    pub from: Option<SocketAddr>,
    /// The message.
    pub message: Message,
}

impl Reply {
    /// A reply from the server's own address.
    pub fn genuine(message: Message) -> Reply {
        Reply {
            from: None,
            message,
        }
    }
}

/// Decides the replies to a query (none: stay silent); the flag says TCP.
pub type Script = dyn Fn(&Message, bool) -> Vec<Reply> + Send + Sync;

/// A script that answers each query once from the server's own address, or
/// stays silent when `answer` gives `None`.
pub fn answering(
    answer: impl Fn(&Message, bool) -> Option<Message> + Send + Sync + 'static,
) -> Arc<Script> {
    Arc::new(move |q: &Message, tcp| answer(q, tcp).map(Reply::genuine).into_iter().collect())
}

/// A script that sends every message `answers` gives, in order, from the
/// server's own address (over TCP, on the query's connection).
pub fn answering_many(
    answers: impl Fn(&Message, bool) -> Vec<Message> + Send + Sync + 'static,
) -> Arc<Script> {
    Arc::new(move |q: &Message, tcp| answers(q, tcp).into_iter().map(Reply::genuine).collect())
}

/// A running server.
pub struct DnsServer {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl DnsServer {
    /// Serves `script` over UDP and TCP on one OS-chosen port of 127.0.0.1.
    pub fn loopback(script: Arc<Script>) -> Result<DnsServer, String> {
        // UDP first on a free port, then TCP on the same port; a port whose
        // TCP side is taken is given back and another one tried.
        for _ in 0..20 {
            let udp = UdpSocket::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
            let addr = udp.local_addr().map_err(|e| e.to_string())?;
            if let Ok(tcp) = TcpListener::bind(addr) {
                return DnsServer::serve(udp, tcp, addr, script);
            }
        }
        Err("no port free for both UDP and TCP on 127.0.0.1".into())
    }

    /// Serves `script` over UDP and TCP on `addr` (port 53 needs root).
    pub fn bind(addr: SocketAddr, script: Arc<Script>) -> Result<DnsServer, String> {
        let udp = UdpSocket::bind(addr).map_err(|e| format!("binding UDP {addr}: {e}"))?;
        let tcp = TcpListener::bind(addr).map_err(|e| format!("binding TCP {addr}: {e}"))?;
        DnsServer::serve(udp, tcp, addr, script)
    }

    fn serve(
        udp: UdpSocket,
        tcp: TcpListener,
        addr: SocketAddr,
        script: Arc<Script>,
    ) -> Result<DnsServer, String> {
        udp.set_read_timeout(Some(Duration::from_millis(20)))
            .map_err(|e| e.to_string())?;
        tcp.set_nonblocking(true).map_err(|e| e.to_string())?;
        let received = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let mut threads = Vec::new();
        let (s, sc, r) = (stop.clone(), script.clone(), received.clone());
        threads.push(std::thread::spawn(move || {
            let mut buf = vec![0u8; 65_535];
            while !s.load(Ordering::Relaxed) {
                let Ok((n, client)) = udp.recv_from(&mut buf) else {
                    continue;
                };
                record(&r, false, &buf[..n], None);
                let Ok(query) = Message::parse(&buf[..n]) else {
                    continue;
                };
                for reply in sc(&query, false) {
                    let Ok(bytes) = reply.message.to_bytes() else {
                        continue;
                    };
                    match reply.from {
                        None => drop(udp.send_to(&bytes, client)),
                        Some(from) => {
                            if let Ok(forger) = UdpSocket::bind(from) {
                                let _ = forger.send_to(&bytes, client);
                            }
                        }
                    }
                }
            }
        }));
        let (s, r) = (stop.clone(), received.clone());
        threads.push(std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                let Ok((mut conn, _)) = tcp.accept() else {
                    std::thread::sleep(Duration::from_millis(5));
                    continue;
                };
                let _ = conn.set_nonblocking(false);
                let _ = conn.set_read_timeout(Some(Duration::from_secs(2)));
                // RFC 7766 §8: each message is preceded by its length in two octets.
                let mut len = [0u8; 2];
                if conn.read_exact(&mut len).is_err() {
                    continue;
                }
                let want = usize::from(u16::from_be_bytes(len));
                let mut q = vec![0u8; want];
                if conn.read_exact(&mut q).is_err() {
                    continue;
                }
                record(&r, true, &q, Some(want));
                let Ok(query) = Message::parse(&q) else {
                    continue;
                };
                for reply in script(&query, true) {
                    if reply.from.is_some() {
                        continue;
                    }
                    let Some(bytes) = reply.message.to_bytes().ok() else {
                        continue;
                    };
                    let Ok(n) = u16::try_from(bytes.len()) else {
                        continue;
                    };
                    let mut framed = n.to_be_bytes().to_vec();
                    framed.extend_from_slice(&bytes);
                    let _ = conn.write_all(&framed);
                }
            }
        }));
        Ok(DnsServer {
            addr,
            received,
            stop,
            threads,
        })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every query received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        self.received
            .lock()
            .map(|r| r.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }
}

fn record(r: &Mutex<Vec<Received>>, tcp: bool, bytes: &[u8], framed_len: Option<usize>) {
    let mut r = r.lock().unwrap_or_else(|p| p.into_inner());
    r.push(Received {
        tcp,
        bytes: bytes.to_vec(),
        framed_len,
    });
}

impl Drop for DnsServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}
