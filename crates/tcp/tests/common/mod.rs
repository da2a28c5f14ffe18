//! Helpers shared by the connection tests.
#![allow(dead_code)]

use handshake_tcp::conn::pair::Pair;
use handshake_tcp::conn::{Connection, Event};
use handshake_time::Duration;

/// Deterministic test data: byte i of stream `tag`.
pub fn pattern(len: usize, tag: u8) -> Vec<u8> {
    (0..len)
        .map(|i| {
            (i as u32)
                .wrapping_mul(2654435761)
                .rotate_left(tag as u32 % 31) as u8
                ^ tag
        })
        .collect()
}

/// Sends `c2s` from the client and `s2c` from the server, reading eagerly on
/// both sides, optionally closing each side once its data is queued. Returns
/// what each side received (client got, server got).
pub fn exchange(
    p: &mut Pair,
    c2s: &[u8],
    s2c: &[u8],
    close: bool,
    limit: Duration,
) -> (Vec<u8>, Vec<u8>) {
    let (mut c_sent, mut s_sent) = (0usize, 0usize);
    let (mut c_got, mut s_got) = (Vec::new(), Vec::new());
    let mut buf = vec![0u8; 64 * 1024];
    p.run(limit, |p| {
        c_sent += p.client.send(&c2s[c_sent..]);
        drain(&mut p.client, &mut buf, &mut c_got);
        if close && c_sent == c2s.len() && p.client.state().is_synchronized() {
            p.client.close();
        }
        if let Some(s) = p.server_mut() {
            s_sent += s.send(&s2c[s_sent..]);
            drain(s, &mut buf, &mut s_got);
            if close && s_sent == s2c.len() && s.state().is_synchronized() {
                s.close();
            }
        }
        let done = c_got.len() == s2c.len() && s_got.len() == c2s.len();
        done && (!close || p.next_event().is_none())
    });
    (c_got, s_got)
}

/// Reads everything available.
pub fn drain(c: &mut Connection, buf: &mut [u8], out: &mut Vec<u8>) {
    loop {
        let n = c.recv(buf);
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
    }
}

/// Every event the connection has queued.
pub fn events(c: &mut Connection) -> Vec<Event> {
    std::iter::from_fn(|| c.poll_event()).collect()
}

/// A small deterministic generator (SplitMix64) for link decisions.
pub struct SplitMix(pub u64);

impl SplitMix {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// True with probability `pct`%.
    pub fn chance(&mut self, pct: u64) -> bool {
        self.next_u64() % 100 < pct
    }
}
