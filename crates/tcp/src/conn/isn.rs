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
#[derive(Clone)]
pub struct IsnGenerator {
    key: [u8; 32],
    /// HMAC keyed with `key`: its inner and outer hash states, computed once
    /// (two SHA-256 compressions that every hash would otherwise repeat).
    /// Key material too: SHA-256 wipes its state when dropped.
    mac: HmacSha256,
}

impl zeroize::Zeroize for IsnGenerator {
    fn zeroize(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.key);
        // The old keyed states are wiped as they drop.
        self.mac = HmacSha256::new(&self.key);
    }
}

impl Drop for IsnGenerator {
    fn drop(&mut self) {
        // `mac` wipes itself (SHA-256's Drop).
        zeroize::Zeroize::zeroize(&mut self.key);
    }
}

impl zeroize::ZeroizeOnDrop for IsnGenerator {}

impl core::fmt::Debug for IsnGenerator {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("IsnGenerator { key: <secret> }")
    }
}

impl IsnGenerator {
    /// A generator keyed with `key` (RFC 6528 §3: a secret the attacker cannot guess).
    pub fn new(key: [u8; 32]) -> Self {
        let mac = HmacSha256::new(&key);
        IsnGenerator { key, mac }
    }

    /// A generator whose key is drawn from `rng` (use a CSPRNG in production).
    pub fn from_rng<R: rand_core::RngCore + ?Sized>(rng: &mut R) -> Self {
        // Filled in place: no copy of the key is left on the stack.
        let mut g = IsnGenerator::new([0u8; 32]);
        rng.fill_bytes(&mut g.key);
        g.mac = HmacSha256::new(&g.key);
        g
    }

    /// The ISN for the connection `local` <-> `remote` at time `now`.
    pub fn isn(&self, now: Instant, local: SocketAddr, remote: SocketAddr) -> SeqNumber {
        // RFC 6528 §3: M is a 4-microsecond timer.
        let m = (now.as_nanos() / 4_000) as u32;
        let mut h = self.mac.clone();
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
        let mut h = self.mac.clone();
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
        let mut h = self.mac.clone();
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

    /// The ISN and TSval offset are RFC 6528 §3's F: HMAC-SHA256 under the
    /// key (computed here in one shot, key and all, not from the
    /// generator's prepared hash states), truncated to 32 bits, plus M.
    #[test]
    fn isn_is_the_keyed_hmac_of_the_four_tuple() {
        let key = [0x5a; 32];
        let g = IsnGenerator::new(key);
        let (a, b): (SocketAddr, SocketAddr) = (
            "192.0.2.1:1000".parse().unwrap(),
            "[2001:db8::2]:80".parse().unwrap(),
        );
        let t = Instant::from_nanos(40_000);
        let mut msg = alloc::vec::Vec::new();
        msg.extend_from_slice(&[192, 0, 2, 1]);
        msg.extend_from_slice(&1000u16.to_be_bytes());
        msg.extend_from_slice(
            &"2001:db8::2"
                .parse::<core::net::Ipv6Addr>()
                .unwrap()
                .octets(),
        );
        msg.extend_from_slice(&80u16.to_be_bytes());
        let d = HmacSha256::mac(&key, &msg);
        let f = u32::from_be_bytes([d[0], d[1], d[2], d[3]]);
        assert_eq!(g.isn(t, a, b), SeqNumber(f.wrapping_add(10)));
        let mut msg = b"handshake-tcp timestamp offset".to_vec();
        msg.extend_from_slice(&[192, 0, 2, 1]);
        msg.extend_from_slice(
            &"2001:db8::2"
                .parse::<core::net::Ipv6Addr>()
                .unwrap()
                .octets(),
        );
        let d = HmacSha256::mac(&key, &msg);
        assert_eq!(
            g.ts_offset(a.ip(), b.ip()),
            u32::from_be_bytes([d[0], d[1], d[2], d[3]])
        );
        // Zeroized, it hashes under the all-zero key.
        let mut z = g.clone();
        zeroize::Zeroize::zeroize(&mut z);
        assert_eq!(z.isn(t, a, b), IsnGenerator::new([0; 32]).isn(t, a, b));
    }

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
