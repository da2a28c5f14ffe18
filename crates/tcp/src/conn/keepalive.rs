//! Keep-alives (RFC 9293 §3.8.4, RFC 1122 §4.2.3.6): optional (MAY-5), off
//! unless the application asks (MUST-24, MUST-25). When a connection that
//! has nothing outstanding has heard nothing from its peer for the idle
//! time, it sends a probe the peer must answer with an ACK; a dead peer is
//! detected after several unanswered probes, so one lost ACK does not end
//! a live connection (MUST-29).

use handshake_time::{Duration, Instant};

use super::{Connection, Event, State};

/// When and how a connection probes an idle peer.
///
/// ```
/// use handshake_tcp::conn::{Config, KeepAlive};
/// use handshake_time::Duration;
///
/// // RFC 1122 §4.2.3.6 (MUST-28): the idle time defaults to two hours.
/// assert_eq!(KeepAlive::default().idle, Duration::from_secs(2 * 3600));
/// // Off unless asked for (MUST-25); asked for with any idle time (MUST-27).
/// let config = Config::default().keep_alive(Some(KeepAlive {
///     idle: Duration::from_secs(60),
///     ..KeepAlive::default()
/// }));
/// # let _ = config;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeepAlive {
    /// How long the connection is idle (nothing received, nothing of ours
    /// unacknowledged) before the first probe. RFC 1122 §4.2.3.6: MUST be
    /// configurable and MUST default to no less than two hours.
    pub idle: Duration,
    /// Time between unanswered probes (Linux: 75 s).
    pub interval: Duration,
    /// Unanswered probes after which the peer is declared dead and the
    /// connection closes with [`Event::TimedOut`] (Linux: 9).
    pub probes: u32,
    /// Send one garbage octet in each probe, for peers that ignore a probe
    /// without data (RFC 9293 §3.8.4, MAY-6); without it the probe carries
    /// none (SHLD-12).
    pub garbage_octet: bool,
}

impl Default for KeepAlive {
    fn default() -> Self {
        KeepAlive {
            // RFC 1122 §4.2.3.6 (MUST-28): at least two hours.
            idle: Duration::from_secs(2 * 3600),
            interval: Duration::from_secs(75),
            probes: 9,
            garbage_octet: false,
        }
    }
}

impl Connection {
    /// When the next keep-alive probe (or the verdict on the last one) is
    /// due; none while keep-alives are off, outside ESTABLISHED and
    /// CLOSE-WAIT, or while data is outstanding or queued.
    pub(crate) fn keepalive_deadline(&self) -> Option<Instant> {
        let ka = self.config.keep_alive?;
        if !matches!(self.state, State::Established | State::CloseWait) {
            return None;
        }
        // RFC 9293 §3.8.4 (MUST-26): only when no sent data is outstanding;
        // queued data has its own timers (retransmission, persist).
        if self.snd_una != self.snd_max || !self.send_buf.is_empty() {
            return None;
        }
        let mut at = self.last_heard + ka.idle;
        for _ in 0..self.keepalive_probes {
            at += ka.interval;
        }
        Some(at)
    }

    /// The keep-alive timer fired at `now`: probe again, or give up on a
    /// peer that answered none of [`KeepAlive::probes`] probes.
    pub(crate) fn on_keepalive_timer(&mut self) {
        let Some(ka) = self.config.keep_alive else {
            return;
        };
        if self.keepalive_probes >= ka.probes {
            self.enter_closed();
            self.events.push_back(Event::TimedOut);
            return;
        }
        self.keepalive_probes += 1;
        self.keepalive_pending = true;
    }

    /// The peer was heard from (an acceptable segment arrived): the idle
    /// time starts again and unanswered probes are forgotten.
    pub(crate) fn heard_from_peer(&mut self, now: Instant) {
        self.last_heard = now;
        self.keepalive_probes = 0;
    }

    /// The probe's payload: none, or one garbage octet (MAY-6). Its sequence
    /// number is SND.NXT - 1, already acknowledged, so the peer's answer is
    /// the ACK RFC 9293 §3.10.7.4 owes an unacceptable segment.
    pub(crate) fn keepalive_payload(&self) -> super::Data {
        match self.config.keep_alive {
            Some(KeepAlive {
                garbage_octet: true,
                ..
            }) => super::Data::Fixed(&[0]),
            _ => super::Data::Fixed(&[]),
        }
    }
}
