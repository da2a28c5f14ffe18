//! Initial sequence numbers per RFC 6528.

use core::net::{IpAddr, SocketAddr};

use handshake_crypto::HmacSha256;
use handshake_time::Instant;

use crate::wire::SeqNumber;

/// RFC 6528 §3 initial sequence numbers: `ISN = M + F(localip, localport,
/// remoteip, remoteport, secretkey)`, where M is a timer that ticks every
/// 4 microseconds and F is HMAC-SHA256 keyed with the caller's secret,
/// truncated to 32 bits.
///
/// The key and the clock both come from the caller (sans-IO): draw the key
/// once from a CSPRNG and keep it for the life of the host.
///
/// ```
/// use handshake_tcp::conn::IsnGenerator;
/// use handshake_time::Instant;
/// let g = IsnGenerator::new([7u8; 32]);
/// let (a, b) = ("192.0.2.1:1000".parse().unwrap(), "192.0.2.2:80".parse().unwrap());
/// let t = Instant::from_nanos(0);
/// // 4 µs later the ISN is one larger (RFC 6528 §3 M).
/// assert_eq!(g.isn(t + handshake_time::Duration::from_micros(4), a, b), g.isn(t, a, b) + 1);
/// ```
#[derive(Clone, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub struct IsnGenerator {
    key: [u8; 32],
}

impl core::fmt::Debug for IsnGenerator {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("IsnGenerator { key: <secret> }")
    }
}

impl IsnGenerator {
    /// A generator keyed with `key` (RFC 6528 §3: a secret the attacker cannot guess).
    pub fn new(key: [u8; 32]) -> Self {
        IsnGenerator { key }
    }

    /// A generator whose key is drawn from `rng` (use a CSPRNG in production).
    pub fn from_rng<R: rand_core::RngCore + ?Sized>(rng: &mut R) -> Self {
        // Filled in place: no copy of the key is left on the stack.
        let mut g = IsnGenerator { key: [0u8; 32] };
        rng.fill_bytes(&mut g.key);
        g
    }

    /// The ISN for the connection `local` <-> `remote` at time `now`.
    pub fn isn(&self, now: Instant, local: SocketAddr, remote: SocketAddr) -> SeqNumber {
        // RFC 6528 §3: M is a 4-microsecond timer.
        let m = (now.as_nanos() / 4_000) as u32;
        let mut h = HmacSha256::new(&self.key);
        for a in [local, remote] {
            match a {
                SocketAddr::V4(v4) => h.update(&v4.ip().octets()),
                SocketAddr::V6(v6) => h.update(&v6.ip().octets()),
            }
            h.update(&a.port().to_be_bytes());
        }
        let d = h.finalize();
        let d = d.as_ref();
        let f = u32::from_be_bytes([d[0], d[1], d[2], d[3]]);
        SeqNumber(m.wrapping_add(f))
    }

    /// The offset added to our timestamp clock for TSval on connections
    /// between the hosts `local` and `remote` (RFC 7323 §5.4: a random
    /// per-connection offset, which it suggests computing as RFC 6528 does
    /// the ISN). A keyed hash, under this generator's key with its own label,
    /// of the two addresses: a secret, so TSval does not reveal the host's
    /// clock (an offset computed from the ISN would, to anyone who knows how);
    /// per pair of hosts and not per port, as Linux's `secure_tcp_ts_off`,
    /// so TSvals toward one host keep increasing across connections.
    pub fn ts_offset(&self, local: IpAddr, remote: IpAddr) -> u32 {
        let mut h = HmacSha256::new(&self.key);
        h.update(b"handshake-tcp timestamp offset");
        for a in [local, remote] {
            match a {
                IpAddr::V4(v4) => h.update(&v4.octets()),
                IpAddr::V6(v6) => h.update(&v6.octets()),
            }
        }
        let d = h.finalize();
        let d = d.as_ref();
        u32::from_be_bytes([d[0], d[1], d[2], d[3]])
    }

    /// A keyed hash of the 4-tuple, `count` and `which` for SYN cookies
    /// (RFC 4987 §3.6: the secret is the caller's key, domain-separated
    /// from the ISN's and the TSval offset's).
    pub(crate) fn cookie_hash(
        &self,
        local: SocketAddr,
        remote: SocketAddr,
        count: u32,
        which: u8,
    ) -> u32 {
        let mut h = HmacSha256::new(&self.key);
        h.update(b"handshake-tcp syn cookie");
        h.update(&[which]);
        h.update(&count.to_be_bytes());
        for a in [local, remote] {
            match a {
                SocketAddr::V4(v4) => h.update(&v4.ip().octets()),
                SocketAddr::V6(v6) => h.update(&v6.ip().octets()),
            }
            h.update(&a.port().to_be_bytes());
        }
        let d = h.finalize();
        let d = d.as_ref();
        u32::from_be_bytes([d[0], d[1], d[2], d[3]])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The key is wiped when the generator drops (it did not derive
    /// `ZeroizeOnDrop`, so this did not compile), and `zeroize` clears it.
    #[test]
    fn key_is_zeroized() {
        fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        wiped_on_drop::<IsnGenerator>();
        let mut g = IsnGenerator::new([7u8; 32]);
        zeroize::Zeroize::zeroize(&mut g);
        assert_eq!(g.key, [0u8; 32]);
        // from_rng fills the key in place with the RNG's bytes.
        struct Ones;
        impl rand_core::RngCore for Ones {
            fn next_u32(&mut self) -> u32 {
                u32::MAX
            }
            fn next_u64(&mut self) -> u64 {
                u64::MAX
            }
            fn fill_bytes(&mut self, dest: &mut [u8]) {
                dest.fill(0xff);
            }
            fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
                dest.fill(0xff);
                Ok(())
            }
        }
        assert_eq!(IsnGenerator::from_rng(&mut Ones).key, [0xff; 32]);
    }
}
