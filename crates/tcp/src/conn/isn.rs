//! Initial sequence numbers per RFC 6528.

use core::net::{IpAddr, SocketAddr};

use handshake_crypto::{HmacSha256, SipHash24};
use handshake_time::Instant;

use crate::wire::SeqNumber;

/// RFC 6528 §3 initial sequence numbers: `ISN = M + F(localip, localport,
/// remoteip, remoteport, secretkey)`, where M is a timer that ticks every
/// 4 microseconds and F is a pseudorandom function keyed with the caller's
/// secret: SipHash-2-4, truncated to 32 bits, as Linux's `secure_tcp_seq`
/// (a short-input PRF; one hash costs a few dozen nanoseconds where an
/// HMAC-SHA256 costs four block compressions, and there is one per SYN).
/// Its 128-bit key, and those of the TSval offset and the SYN cookies, are
/// derived from the caller's 256-bit secret with HMAC-SHA256 under a label
/// each, once, when the generator is made.
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
    /// F of the ISN (RFC 6528 §3).
    isn: SipHash24,
    /// The TSval offset's (RFC 7323 §5.4).
    ts: SipHash24,
    /// The SYN cookies' (RFC 4987 §3.6).
    cookie: SipHash24,
}

/// The labels under which the three PRF keys are derived from the secret.
const ISN_LABEL: &[u8] = b"handshake-tcp isn";
const TS_LABEL: &[u8] = b"handshake-tcp timestamp offset";
const COOKIE_LABEL: &[u8] = b"handshake-tcp syn cookie";

/// A SipHash key: the first 128 bits of HMAC-SHA256(secret, label).
fn subkey(secret: &[u8; 32], label: &[u8]) -> SipHash24 {
    let mut d = HmacSha256::mac(secret, label);
    let mut k = [0u8; 16];
    k.copy_from_slice(&d.as_ref()[..16]);
    let h = SipHash24::new(&k);
    zeroize::Zeroize::zeroize(&mut k);
    zeroize::Zeroize::zeroize(d.as_mut());
    h
}

/// An address and a port as F reads them: the address's octets, then the
/// port in network order.
fn put(buf: &mut [u8; 48], at: usize, a: SocketAddr) -> usize {
    let n = put_ip(buf, at, a.ip());
    buf[n..n + 2].copy_from_slice(&a.port().to_be_bytes());
    n + 2
}

fn put_ip(buf: &mut [u8; 48], at: usize, a: IpAddr) -> usize {
    match a {
        IpAddr::V4(v4) => {
            buf[at..at + 4].copy_from_slice(&v4.octets());
            at + 4
        }
        IpAddr::V6(v6) => {
            buf[at..at + 16].copy_from_slice(&v6.octets());
            at + 16
        }
    }
}

impl zeroize::Zeroize for IsnGenerator {
    fn zeroize(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.key);
        // The old PRF keys are wiped as they drop (SipHash24's Drop).
        let zero = SipHash24::new(&[0; 16]);
        self.isn = zero.clone();
        self.ts = zero.clone();
        self.cookie = zero;
    }
}

impl Drop for IsnGenerator {
    fn drop(&mut self) {
        // The PRF keys wipe themselves (SipHash24's Drop).
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
        IsnGenerator {
            isn: subkey(&key, ISN_LABEL),
            ts: subkey(&key, TS_LABEL),
            cookie: subkey(&key, COOKIE_LABEL),
            key,
        }
    }

    /// A generator whose key is drawn from `rng` (use a CSPRNG in production).
    pub fn from_rng<R: rand_core::RngCore + ?Sized>(rng: &mut R) -> Self {
        // Filled in place: no copy of the key is left on the stack.
        let mut g = IsnGenerator::new([0u8; 32]);
        rng.fill_bytes(&mut g.key);
        g.isn = subkey(&g.key, ISN_LABEL);
        g.ts = subkey(&g.key, TS_LABEL);
        g.cookie = subkey(&g.key, COOKIE_LABEL);
        g
    }

    /// The ISN for the connection `local` <-> `remote` at time `now`.
    pub fn isn(&self, now: Instant, local: SocketAddr, remote: SocketAddr) -> SeqNumber {
        // RFC 6528 §3: M is a 4-microsecond timer.
        let m = (now.as_nanos() / 4_000) as u32;
        let mut buf = [0u8; 48];
        let n = put(&mut buf, 0, local);
        let n = put(&mut buf, n, remote);
        let f = self.isn.hash(&buf[..n]) as u32;
        SeqNumber(m.wrapping_add(f))
    }

    /// The offset added to our timestamp clock for TSval on connections
    /// between the hosts `local` and `remote` (RFC 7323 §5.4: a random
    /// per-connection offset, which it suggests computing as RFC 6528 does
    /// the ISN). A keyed hash, under its own key, of the two addresses: a
    /// secret, so TSval does not reveal the host's clock (an offset computed
    /// from the ISN would, to anyone who knows how); per pair of hosts and
    /// not per port, as Linux's `secure_tcp_ts_off`, so TSvals toward one
    /// host keep increasing across connections.
    pub fn ts_offset(&self, local: IpAddr, remote: IpAddr) -> u32 {
        let mut buf = [0u8; 48];
        let n = put_ip(&mut buf, 0, local);
        let n = put_ip(&mut buf, n, remote);
        self.ts.hash(&buf[..n]) as u32
    }

    /// A keyed hash of the 4-tuple, `count` and `which` for SYN cookies
    /// (RFC 4987 §3.6: the secret is the caller's key; the cookies' PRF key
    /// is apart from the ISN's and the TSval offset's).
    pub(crate) fn cookie_hash(
        &self,
        local: SocketAddr,
        remote: SocketAddr,
        count: u32,
        which: u8,
    ) -> u32 {
        let mut buf = [0u8; 48];
        buf[0] = which;
        buf[1..5].copy_from_slice(&count.to_be_bytes());
        let n = put(&mut buf, 5, local);
        let n = put(&mut buf, n, remote);
        self.cookie.hash(&buf[..n]) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ISN is RFC 6528 §3's M plus F, SipHash-2-4 (computed here by the
    /// standard library's implementation) of the 4-tuple under the first
    /// 128 bits of HMAC-SHA256(secret, "handshake-tcp isn"), truncated to
    /// 32 bits; the TSval offset the same of the two addresses under its
    /// own label's key, and the cookie hash under the cookie label's.
    #[test]
    #[allow(deprecated)]
    fn isn_ts_offset_and_cookie_hash_are_siphash_under_derived_keys() {
        use core::hash::Hasher;
        let key = [0x5a; 32];
        let g = IsnGenerator::new(key);
        let sip = |label: &[u8], msg: &[u8]| {
            let d = HmacSha256::mac(&key, label);
            let k0 = u64::from_le_bytes(d[..8].try_into().unwrap());
            let k1 = u64::from_le_bytes(d[8..16].try_into().unwrap());
            let mut h = core::hash::SipHasher::new_with_keys(k0, k1);
            h.write(msg);
            h.finish() as u32
        };
        let (a, b): (SocketAddr, SocketAddr) = (
            "192.0.2.1:1000".parse().unwrap(),
            "[2001:db8::2]:80".parse().unwrap(),
        );
        let v6 = "2001:db8::2"
            .parse::<core::net::Ipv6Addr>()
            .unwrap()
            .octets();
        let t = Instant::from_nanos(40_000);
        let mut msg = alloc::vec![192, 0, 2, 1, 0x03, 0xe8];
        msg.extend_from_slice(&v6);
        msg.extend_from_slice(&[0, 80]);
        let f = sip(b"handshake-tcp isn", &msg);
        assert_eq!(g.isn(t, a, b), SeqNumber(f.wrapping_add(10)));
        let mut msg = alloc::vec![192, 0, 2, 1];
        msg.extend_from_slice(&v6);
        assert_eq!(
            g.ts_offset(a.ip(), b.ip()),
            sip(b"handshake-tcp timestamp offset", &msg)
        );
        let mut msg = alloc::vec![2, 0, 0, 1, 7, 192, 0, 2, 1, 0x03, 0xe8];
        msg.extend_from_slice(&v6);
        msg.extend_from_slice(&[0, 80]);
        assert_eq!(
            g.cookie_hash(a, b, 0x107, 2),
            sip(b"handshake-tcp syn cookie", &msg)
        );
        // Another secret, other values.
        assert_ne!(IsnGenerator::new([0x5b; 32]).isn(t, a, b), g.isn(t, a, b));
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
