//! A scripted authoritative peer on loopback, in the spirit of Deckard's
//! .rpl scenarios: a closure decides, for each query, what goes back — a
//! genuine answer, forgeries from another address or with another ID, a
//! truncated answer, or nothing. UDP and TCP on port 53; stopped on drop.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use handshake_dns::wire::Message;

/// One datagram to send back.
pub struct Reply {
    /// Send from this address instead of the server's own (a forgery).
    pub from: Option<SocketAddr>,
    /// The message.
    pub message: Message,
}

/// Decides the replies to a query; the flag says it came over TCP.
pub type Script = dyn Fn(&Message, bool) -> Vec<Reply> + Send + Sync;

/// A running scripted server.
pub struct Scripted {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl Scripted {
    /// Serves `script` on `addr` (port 53, UDP and TCP).
    pub fn start(addr: SocketAddr, script: Arc<Script>) -> Result<Scripted, String> {
        let udp = UdpSocket::bind(addr).map_err(|e| format!("binding UDP {addr}: {e}"))?;
        udp.set_read_timeout(Some(Duration::from_millis(20)))
            .map_err(|e| e.to_string())?;
        let tcp = TcpListener::bind(addr).map_err(|e| format!("binding TCP {addr}: {e}"))?;
        tcp.set_nonblocking(true).map_err(|e| e.to_string())?;
        let stop = Arc::new(AtomicBool::new(false));
        let mut threads = Vec::new();
        let (s, sc) = (stop.clone(), script.clone());
        threads.push(std::thread::spawn(move || {
            let mut buf = [0u8; 65_535];
            while !s.load(Ordering::Relaxed) {
                let Ok((n, client)) = udp.recv_from(&mut buf) else {
                    continue;
                };
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
        let s = stop.clone();
        threads.push(std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                let Ok((mut conn, _)) = tcp.accept() else {
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                };
                let _ = conn.set_nonblocking(false);
                let _ = conn.set_read_timeout(Some(Duration::from_secs(2)));
                let mut len = [0u8; 2];
                if conn.read_exact(&mut len).is_err() {
                    continue;
                }
                let mut q = vec![0u8; usize::from(u16::from_be_bytes(len))];
                if conn.read_exact(&mut q).is_err() {
                    continue;
                }
                let Ok(query) = Message::parse(&q) else {
                    continue;
                };
                for reply in script(&query, true) {
                    let Ok(bytes) = reply.message.to_bytes() else {
                        continue;
                    };
                    let mut framed = (bytes.len() as u16).to_be_bytes().to_vec();
                    framed.extend_from_slice(&bytes);
                    let _ = conn.write_all(&framed);
                }
            }
        }));
        Ok(Scripted { stop, threads })
    }
}

impl Drop for Scripted {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}
