//! A DNS server in this process on 127.0.0.1 and an OS-chosen port: no
//! privileges needed. A closure answers each query; every query received is
//! kept (with its transport, and for TCP the 2-byte length prefix as read)
//! so a case can check what the client sent. Stopped on drop.

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

/// Decides the response to a query (None: stay silent); the flag says TCP.
pub type Answer = dyn Fn(&Message, bool) -> Option<Message> + Send + Sync;

/// Decides the responses to a query, sent in order (over TCP, on the
/// query's connection); the flag says TCP.
pub type Answers = dyn Fn(&Message, bool) -> Vec<Message> + Send + Sync;

/// A running server.
pub struct Loopback {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl Loopback {
    /// Serves `answer` over UDP and TCP on one port of 127.0.0.1.
    pub fn start(answer: Arc<Answer>) -> Result<Loopback, String> {
        Loopback::start_many(Arc::new(move |q: &Message, tcp| {
            answer(q, tcp).into_iter().collect()
        }))
    }

    /// Serves `answers` over UDP and TCP on one port of 127.0.0.1: several
    /// responses (or none) to each query.
    pub fn start_many(answer: Arc<Answers>) -> Result<Loopback, String> {
        // UDP first on a free port, then TCP on the same port; a port whose
        // TCP side is taken is given back and another one tried.
        let mut bound = None;
        for _ in 0..20 {
            let udp = UdpSocket::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
            let addr = udp.local_addr().map_err(|e| e.to_string())?;
            if let Ok(tcp) = TcpListener::bind(addr) {
                bound = Some((udp, tcp, addr));
                break;
            }
        }
        let (udp, tcp, addr) = bound.ok_or("no port free for both UDP and TCP on 127.0.0.1")?;
        udp.set_read_timeout(Some(Duration::from_millis(20)))
            .map_err(|e| e.to_string())?;
        tcp.set_nonblocking(true).map_err(|e| e.to_string())?;
        let received = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let mut threads = Vec::new();
        let (s, a, r) = (stop.clone(), answer.clone(), received.clone());
        threads.push(std::thread::spawn(move || {
            let mut buf = vec![0u8; 65_535];
            while !s.load(Ordering::Relaxed) {
                let Ok((n, client)) = udp.recv_from(&mut buf) else {
                    continue;
                };
                record(&r, false, &buf[..n], None);
                let Ok(q) = Message::parse(&buf[..n]) else {
                    continue;
                };
                for bytes in a(&q, false).iter().filter_map(|m| m.to_bytes().ok()) {
                    let _ = udp.send_to(&bytes, client);
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
                for bytes in answer(&query, true)
                    .iter()
                    .filter_map(|m| m.to_bytes().ok())
                {
                    let Ok(n) = u16::try_from(bytes.len()) else {
                        continue;
                    };
                    let mut framed = n.to_be_bytes().to_vec();
                    framed.extend_from_slice(&bytes);
                    let _ = conn.write_all(&framed);
                }
            }
        }));
        Ok(Loopback {
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

impl Drop for Loopback {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}
