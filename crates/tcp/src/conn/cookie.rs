//! SYN cookies (RFC 4987 §3.6), encoded as Linux's `cookie_v4_init_sequence`
//! does: when the SYN queue is full the listener keeps no state, and the
//! SYN-ACK's ISN carries what it needs to rebuild the connection from the
//! returning ACK.
//!
//! ISN = H1(4-tuple) + client ISN + (t << 24) + ((H2(4-tuple, t) + MSS index) mod 2^24),
//! with `t` a counter of 64 s periods and H1, H2 keyed hashes under the
//! caller's secret ([`IsnGenerator`]). The window scale and SACK-permitted
//! options, which do not fit, go into the low six bits of our SYN-ACK's
//! TSval and come back in the ACK's TSecr (only when the peer uses
//! timestamps; without them the SYN-ACK offers neither option).

use handshake_time::Instant;

use super::IsnGenerator;
use crate::wire::SeqNumber;
use core::net::SocketAddr;

/// The MSS values a cookie can carry (Linux's `msstab`): a peer's MSS is
/// rounded down to the largest not above it.
pub(crate) const MSS_TABLE: [u16; 4] = [536, 1300, 1440, 1460];
/// The cookie counter ticks every 64 s.
pub(crate) const PERIOD_NS: u64 = 64_000_000_000;
/// A cookie is accepted for this many ticks (Linux's `MAX_SYNCOOKIE_AGE`).
const MAX_AGE: u32 = 2;
/// TSval bits 0-3: the peer's window shift, 15 when it sent none.
const TS_NO_WSCALE: u32 = 0xf;
/// TSval bit 4: the peer sent SACK-permitted.
const TS_SACK: u32 = 1 << 4;
/// TSval bit 5: the peer's SYN was an ECN-setup SYN we agreed to (RFC
/// 3168 §6.1.1; Linux's `TS_OPT_ECN`).
const TS_ECN: u32 = 1 << 5;
/// The TSval bits a cookie uses.
const TS_BITS: u32 = 0x3f;

fn count(now: Instant) -> u32 {
    (now.as_nanos() / PERIOD_NS) as u32
}

/// The table value a cookie carries for a peer announcing `mss`.
pub(crate) fn table_mss(mss: u16) -> u16 {
    MSS_TABLE[mss_index(mss)]
}

fn mss_index(mss: u16) -> usize {
    MSS_TABLE.iter().rposition(|m| *m <= mss).unwrap_or(0)
}

/// Our ISN for a SYN from `remote` with ISN `client_isn` announcing `mss`.
pub(crate) fn encode(
    keys: &IsnGenerator,
    now: Instant,
    local: SocketAddr,
    remote: SocketAddr,
    client_isn: SeqNumber,
    mss: u16,
) -> SeqNumber {
    let t = count(now);
    let h1 = keys.cookie_hash(local, remote, 0, 1);
    let h2 = keys.cookie_hash(local, remote, t, 2);
    let low = h2.wrapping_add(mss_index(mss) as u32) & 0xff_ffff;
    SeqNumber(
        h1.wrapping_add(client_isn.0)
            .wrapping_add(t << 24)
            .wrapping_add(low),
    )
}

/// The MSS a returning ACK's cookie carries, if it is one of ours and not
/// older than two periods. `client_isn` is the ACK's SEQ - 1, `cookie` its ACK - 1.
pub(crate) fn decode(
    keys: &IsnGenerator,
    now: Instant,
    local: SocketAddr,
    remote: SocketAddr,
    client_isn: SeqNumber,
    cookie: SeqNumber,
) -> Option<u16> {
    let h1 = keys.cookie_hash(local, remote, 0, 1);
    let x = cookie.0.wrapping_sub(h1).wrapping_sub(client_isn.0);
    let now_t = count(now);
    let age = now_t.wrapping_sub(x >> 24) & 0xff;
    if age > MAX_AGE {
        return None;
    }
    let t = now_t.wrapping_sub(age);
    let h2 = keys.cookie_hash(local, remote, t, 2);
    let index = x.wrapping_sub(t << 24).wrapping_sub(h2) & 0xff_ffff;
    MSS_TABLE.get(index as usize).copied()
}

/// `tsval` with the options in its low bits, never above `tsval` (so our
/// later TSvals, from the same clock, are not older than it: RFC 7323 §5.5).
pub(crate) fn ts_with_options(tsval: u32, wscale: Option<u8>, sack: bool, ecn: bool) -> u32 {
    let mut bits = wscale.map_or(TS_NO_WSCALE, |s| u32::from(s.min(14)));
    if sack {
        bits |= TS_SACK;
    }
    if ecn {
        bits |= TS_ECN;
    }
    let v = (tsval & !TS_BITS) | bits;
    if v > tsval {
        v.wrapping_sub(TS_BITS + 1)
    } else {
        v
    }
}

/// The (window shift, SACK-permitted, ECN) a TSecr carries.
pub(crate) fn ts_options(tsecr: u32) -> (Option<u8>, bool, bool) {
    let ws = tsecr & 0xf;
    let ws = (ws != TS_NO_WSCALE).then_some(ws as u8);
    (ws, tsecr & TS_SACK != 0, tsecr & TS_ECN != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_expires() {
        let keys = IsnGenerator::new([9; 32]);
        let (l, r) = (
            "192.0.2.2:80".parse().unwrap(),
            "192.0.2.1:999".parse().unwrap(),
        );
        let t0 = Instant::from_nanos(5 * PERIOD_NS + 7);
        for (mss, want) in [(1460, 1460), (1400, 1300), (48, 536), (9000, 1460)] {
            let c = encode(&keys, t0, l, r, SeqNumber(77), mss);
            assert_eq!(decode(&keys, t0, l, r, SeqNumber(77), c), Some(want));
            let later = Instant::from_nanos(7 * PERIOD_NS);
            assert_eq!(decode(&keys, later, l, r, SeqNumber(77), c), Some(want));
            let expired = Instant::from_nanos(8 * PERIOD_NS);
            assert_eq!(decode(&keys, expired, l, r, SeqNumber(77), c), None);
            // Another client ISN (as in Linux, the ISN is added, not hashed: a
            // shift moves the index out of the table), or another key.
            assert_eq!(decode(&keys, t0, l, r, SeqNumber(77 + 0x1000), c), None);
            let other = IsnGenerator::new([8; 32]);
            assert_eq!(decode(&other, t0, l, r, SeqNumber(77), c), None);
        }
    }

    #[test]
    fn timestamp_bits_round_trip_without_moving_forward() {
        for (ws, sack, ecn) in [
            (Some(7), true, true),
            (None, false, false),
            (Some(14), false, true),
            (Some(0), true, false),
        ] {
            for tsval in [0u32, 1000, 0xffff_ffff, 64] {
                let v = ts_with_options(tsval, ws, sack, ecn);
                assert_eq!(ts_options(v), (ws, sack, ecn));
                assert!(tsval.wrapping_sub(v) < 64, "{tsval} -> {v}");
            }
        }
    }
}
