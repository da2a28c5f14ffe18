//! Scripts in the spirit of packetdrill, played against two stacks: the
//! Linux kernel through a TUN device ([`kernel`], Linux only) and our
//! sans-IO TCP directly ([`ours`]).
//!
//! The stack under test sits at 192.0.2.1 port 8080 (as a server; as a
//! client it connects to the script at 192.0.2.2 port 40000). The script
//! is the other end: it injects the `<` segments and expects the `>` ones.
//! Sequence numbers are relative: the first SYN of each side is 0.
//! [`play`] reports the first line where the stack diverges from the
//! script, with the trace of everything that happened until then.

pub mod parse;

#[cfg(target_os = "linux")]
pub mod kernel;
pub mod ours;

use std::fmt::Write as _;
use std::net::Ipv4Addr;
use std::time::Duration;

use handshake_io::packet::{decode, encode};
use handshake_tcp::wire::{
    SackBlock, SackBlocks, SegmentRepr, SeqNumber, TcpFlags, TcpOptions, Timestamps,
};

use parse::{Action, Call, Direction, Event, Opt, OptSet, Packet, Script, Time, Val};

/// The stack under test's address.
pub const SUT_ADDR: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
/// The script's address.
pub const SCRIPT_ADDR: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 2);
/// The port the stack under test listens on.
pub const SUT_PORT: u16 = 8080;
/// The script's port.
pub const SCRIPT_PORT: u16 = 40000;
/// The script's initial sequence number (its relative 0).
pub const SCRIPT_ISN: u32 = 0x1000_0000;
/// How long `*` waits.
const ANY_WAIT: Duration = Duration::from_secs(5);

/// A stack a script can be played against.
pub trait Stack {
    /// Which stack (for reports).
    fn name(&self) -> &'static str;
    /// Time since the script started.
    fn now(&self) -> Duration;
    /// Lets time pass up to `deadline` or until the stack sends a datagram
    /// (returned with its time).
    fn next_output(&mut self, deadline: Duration) -> Option<(Duration, Vec<u8>)>;
    /// Delivers a datagram to the stack.
    fn inject(&mut self, datagram: Vec<u8>);
    /// Performs a socket call and returns its result (`ok`, a count, `EOF`,
    /// `EAGAIN`, an errno name, or a state name for `state`).
    fn call(&mut self, call: &Call) -> String;
}

/// What playing a script found.
#[derive(Debug, Clone)]
pub struct Report {
    /// The stack.
    pub stack: &'static str,
    /// The first divergence: line number and what differed; `None` if the
    /// stack followed the script.
    pub divergence: Option<(usize, String)>,
    /// Every event as it happened.
    pub trace: Vec<String>,
}

impl Report {
    /// The trace as text.
    pub fn trace_text(&self) -> String {
        self.trace.join("\n")
    }
}

/// An outbound segment, with relative numbers.
#[derive(Debug, Clone)]
struct Seen {
    flags: TcpFlags,
    seq: u32,
    ack: u32,
    win: u16,
    len: u32,
    opts: Vec<Opt>,
}

impl Seen {
    fn show(&self) -> String {
        let mut f = String::new();
        for (b, c) in [
            (TcpFlags::SYN, 'S'),
            (TcpFlags::FIN, 'F'),
            (TcpFlags::RST, 'R'),
            (TcpFlags::PSH, 'P'),
            (TcpFlags::ACK, '.'),
        ] {
            if self.flags.contains(b) {
                f.push(c);
            }
        }
        let mut s = format!(
            "> {f} {}:{}({})",
            self.seq,
            self.seq.wrapping_add(self.len),
            self.len
        );
        if self.flags.contains(TcpFlags::ACK) {
            let _ = write!(s, " ack {}", self.ack);
        }
        let _ = write!(s, " win {}", self.win);
        if !self.opts.is_empty() {
            let o: Vec<String> = self.opts.iter().map(show_opt).collect();
            let _ = write!(s, " <{}>", o.join(","));
        }
        s
    }
}

fn show_opt(o: &Opt) -> String {
    let v = |v: &Val| match v {
        Val::Is(x) => x.to_string(),
        Val::Any => "~".into(),
        Val::AtLeast(x) => format!(">={x}"),
    };
    match o {
        Opt::Mss(x) => format!("mss {}", v(x)),
        Opt::WScale(x) => format!("wscale {}", v(x)),
        Opt::SackOk => "sackOK".into(),
        Opt::Ts(a, b) => format!("TS val {} ecr {}", v(a), v(b)),
        Opt::Sack(b) => format!(
            "sack {}",
            b.iter()
                .map(|(l, r)| format!("{l}:{r}"))
                .collect::<Vec<_>>()
                .join(" ")
        ),
    }
}

/// The state a player keeps: both ISNs, ports and the stack's last TSval.
struct Player {
    sut_isn: Option<u32>,
    sut_port: u16,
    last_ts_val: u32,
    trace: Vec<String>,
    pending: Vec<(Duration, Vec<u8>)>,
}

/// Plays `script` against `stack`; `tolerance` widens every time window
/// (real stacks jitter; the simulated one does not).
pub fn play(script: &Script, stack: &mut dyn Stack, tolerance: Duration) -> Report {
    let mut p = Player {
        sut_isn: None,
        sut_port: SUT_PORT,
        last_ts_val: 0,
        trace: Vec::new(),
        pending: Vec::new(),
    };
    let mut base = Duration::ZERO;
    // The gap between the last two events, for `x2` lines.
    let mut gap = Duration::ZERO;
    for ev in &script.events {
        let (lo, hi) = window(ev.time, base, gap, tolerance);
        let r = match &ev.action {
            Action::Packet(pk) if pk.dir == Direction::Out => p.expect(stack, ev, pk, lo, hi),
            Action::Packet(pk) => p.settle(stack, lo).and_then(|()| p.inject(stack, pk)),
            Action::Call(c) => p.settle(stack, lo).and_then(|()| {
                let got = stack.call(c);
                p.trace.push(format!(
                    "{:>9.4} {} -> {got}",
                    stack.now().as_secs_f64(),
                    ev.text
                ));
                let want = c
                    .expect
                    .clone()
                    .or_else(|| (c.name == "state").then(|| "ok".into()));
                match want {
                    Some(w) if w != got => Err(format!(
                        "`{}` returned {got}, the script expects {w}",
                        ev.text
                    )),
                    _ => Ok(()),
                }
            }),
        };
        if let Err(msg) = r {
            return Report {
                stack: stack.name(),
                divergence: Some((ev.line, msg)),
                trace: p.trace,
            };
        }
        gap = stack.now().saturating_sub(base);
        base = stack.now();
    }
    // After the last line the stack must stay silent: a segment the script
    // does not list (a retransmission, a stray ACK or RST) fails it.
    if let Err(msg) = p.settle(stack, base + SILENCE) {
        let line = script.events.last().map_or(0, |e| e.line);
        return Report {
            stack: stack.name(),
            divergence: Some((line, format!("after the last line: {msg}"))),
            trace: p.trace,
        };
    }
    Report {
        stack: stack.name(),
        divergence: None,
        trace: p.trace,
    }
}

/// How long the stack must stay silent after a script's last line: past
/// any delayed ACK (under 0.5 s, RFC 9293 §3.8.6.3 MUST-40) and a minimum
/// RTO (Linux: 200 ms), short of an initial RTO (1 s, RFC 6298 §2.1) that a
/// script ending in SYN-RECEIVED leaves running.
const SILENCE: Duration = Duration::from_millis(600);

fn window(t: Time, base: Duration, gap: Duration, tol: Duration) -> (Duration, Duration) {
    match t {
        Time::Absolute(d) => (d.saturating_sub(tol), d + tol),
        Time::Relative(a, b) => ((base + a).saturating_sub(tol), base + b + tol),
        Time::Any => (base, base + ANY_WAIT),
        Time::Backoff(f) => (
            (base + gap.mul_f64(f * 0.8)).saturating_sub(tol),
            base + gap.mul_f64(f * 1.2) + tol,
        ),
    }
}

impl Player {
    /// Lets time pass to `until`; anything the stack sends meanwhile is
    /// kept for the next `>` line, and is a divergence at an `<` or a call.
    fn settle(&mut self, stack: &mut dyn Stack, until: Duration) -> Result<(), String> {
        while let Some(out) = stack.next_output(until) {
            self.pending.push(out);
        }
        if !self.pending.is_empty() {
            let (at, d) = self.pending.remove(0);
            let shown = self.relative(&d).map_or_else(|e| e, |s| s.show());
            self.trace
                .push(format!("{:>9.4} {shown} (unexpected)", at.as_secs_f64()));
            self.pending.clear();
            return Err(format!(
                "unexpected segment at {:.4}s: {shown}",
                at.as_secs_f64()
            ));
        }
        Ok(())
    }

    fn relative(&mut self, datagram: &[u8]) -> Result<Seen, String> {
        let d = decode(datagram).map_err(|e| format!("the stack sent a bad datagram: {e}"))?;
        let s = &d.segment;
        if s.flags.contains(TcpFlags::SYN) && self.sut_isn.is_none() {
            self.sut_isn = Some(s.seq_number.0);
            self.sut_port = s.src_port;
        }
        // Before the stack's SYN, numbers are absolute (a RST from CLOSED).
        let isn = self.sut_isn.unwrap_or(0);
        let mut opts = Vec::new();
        let o = &s.options;
        if let Some(m) = o.mss {
            opts.push(Opt::Mss(Val::Is(m.into())));
        }
        if o.sack_permitted {
            opts.push(Opt::SackOk);
        }
        if let Some(t) = o.timestamps {
            self.last_ts_val = t.tsval;
            opts.push(Opt::Ts(Val::Is(t.tsval), Val::Is(t.tsecr)));
        }
        if let Some(w) = o.window_scale {
            opts.push(Opt::WScale(Val::Is(w.into())));
        }
        if !o.sack.is_empty() {
            let b = o
                .sack
                .as_slice()
                .iter()
                .map(|b| {
                    (
                        b.left.0.wrapping_sub(SCRIPT_ISN),
                        b.right.0.wrapping_sub(SCRIPT_ISN),
                    )
                })
                .collect();
            opts.push(Opt::Sack(b));
        }
        Ok(Seen {
            flags: s.flags,
            seq: s.seq_number.0.wrapping_sub(isn),
            ack: s.ack_number.0.wrapping_sub(SCRIPT_ISN),
            win: s.window,
            len: s.payload.len() as u32,
            opts,
        })
    }

    fn expect(
        &mut self,
        stack: &mut dyn Stack,
        ev: &Event,
        pk: &Packet,
        lo: Duration,
        hi: Duration,
    ) -> Result<(), String> {
        let (at, d) = if self.pending.is_empty() {
            stack.next_output(hi).ok_or_else(|| {
                format!(
                    "expected `{}` by {:.4}s, the stack sent nothing",
                    ev.text,
                    hi.as_secs_f64()
                )
            })?
        } else {
            self.pending.remove(0)
        };
        let seen = self.relative(&d)?;
        self.trace
            .push(format!("{:>9.4} {}", at.as_secs_f64(), seen.show()));
        if at < lo {
            return Err(format!(
                "`{}` came at {:.4}s, before {:.4}s",
                seen.show(),
                at.as_secs_f64(),
                lo.as_secs_f64()
            ));
        }
        if at > hi {
            return Err(format!(
                "`{}` came at {:.4}s, after {:.4}s",
                seen.show(),
                at.as_secs_f64(),
                hi.as_secs_f64()
            ));
        }
        let mut first_err = None;
        for alt in std::iter::once(pk).chain(pk.or.iter()) {
            match compare(alt, &seen) {
                Ok(()) => return Ok(()),
                Err(d) => {
                    first_err.get_or_insert(d);
                }
            }
        }
        Err(format!(
            "{} differ: the stack sent `{}`, the script expects `{}`",
            first_err.unwrap_or_default(),
            seen.show(),
            ev.text
        ))
    }

    fn inject(&mut self, stack: &mut dyn Stack, pk: &Packet) -> Result<(), String> {
        let sut_isn = self.sut_isn;
        let abs_ack =
            |rel: u32| -> Result<u32, String> { Ok(sut_isn.map_or(rel, |i| i.wrapping_add(rel))) };
        let mut flags = TcpFlags::empty();
        for (on, b) in [
            (pk.syn, TcpFlags::SYN),
            (pk.fin, TcpFlags::FIN),
            (pk.rst, TcpFlags::RST),
            (pk.ack_flag, TcpFlags::ACK),
        ] {
            if on {
                flags |= b;
            }
        }
        if pk.len > 0 {
            flags |= TcpFlags::PSH;
        }
        let payload: Vec<u8> = (0..pk.len).map(|i| b'a' + (i % 26) as u8).collect();
        let mut seg = SegmentRepr::new(
            SCRIPT_PORT,
            self.sut_port,
            SeqNumber(SCRIPT_ISN.wrapping_add(pk.seq)),
            flags,
        );
        if let Some(a) = pk.ack {
            seg.ack_number = SeqNumber(abs_ack(a)?);
        }
        seg.window = match pk.win {
            Val::Is(w) => {
                u16::try_from(w).map_err(|_| format!("window {w} does not fit 16 bits"))?
            }
            _ => 65535,
        };
        let mut o = TcpOptions::default();
        if let Some(set) = pk.options.first() {
            for opt in &set.opts {
                let is = |v: &Val| match v {
                    Val::Is(x) => Ok(*x),
                    _ => Err("an injected option needs a value".to_string()),
                };
                match opt {
                    Opt::Mss(v) => o.mss = Some(is(v)?.min(65535) as u16),
                    Opt::WScale(v) => o.window_scale = Some(is(v)?.min(255) as u8),
                    Opt::SackOk => o.sack_permitted = true,
                    Opt::Ts(v, e) => {
                        let ecr = match e {
                            Val::Is(x) => *x,
                            _ => self.last_ts_val,
                        };
                        o.timestamps = Some(Timestamps {
                            tsval: is(v)?,
                            tsecr: ecr,
                        });
                    }
                    Opt::Sack(blocks) => {
                        let mut v = Vec::new();
                        for (l, r) in blocks {
                            v.push(SackBlock {
                                left: SeqNumber(abs_ack(*l)?),
                                right: SeqNumber(abs_ack(*r)?),
                            });
                        }
                        o.sack = SackBlocks::new(&v).map_err(|e| e.to_string())?;
                    }
                }
            }
        }
        seg.options = o;
        seg.payload = &payload;
        let bytes = encode(SCRIPT_ADDR, SUT_ADDR, &seg).map_err(|e| e.to_string())?;
        let shown = format!("< {}", describe_in(pk));
        self.trace
            .push(format!("{:>9.4} {shown}", stack.now().as_secs_f64()));
        stack.inject(bytes);
        Ok(())
    }
}

/// Which fields of `seen` differ from `pk`, or `Ok`.
fn compare(pk: &Packet, seen: &Seen) -> Result<(), String> {
    let f = seen.flags;
    let flags_ok = f.contains(TcpFlags::SYN) == pk.syn
        && f.contains(TcpFlags::FIN) == pk.fin
        && f.contains(TcpFlags::RST) == pk.rst
        && f.contains(TcpFlags::ACK) == pk.ack_flag;
    let mut diffs = Vec::new();
    if !flags_ok {
        diffs.push("flags");
    }
    if seen.seq != pk.seq || seen.len != pk.len {
        diffs.push("seq:end(len)");
    }
    if pk.ack.is_some_and(|a| a != seen.ack) {
        diffs.push("ack");
    }
    if !pk.win.matches(seen.win.into()) {
        diffs.push("win");
    }
    let opts_ok = if pk.options.is_empty() {
        seen.opts.is_empty()
    } else {
        pk.options.iter().any(|alt| options_match(alt, &seen.opts))
    };
    if !opts_ok {
        diffs.push("options");
    }
    if diffs.is_empty() {
        Ok(())
    } else {
        Err(diffs.join(", "))
    }
}

fn describe_in(pk: &Packet) -> String {
    let mut s = format!("{}:{}({})", pk.seq, pk.seq.wrapping_add(pk.len), pk.len);
    if let Some(a) = pk.ack {
        let _ = write!(s, " ack {a}");
    }
    s
}

/// True when the observed options fit one alternative: every expected
/// option present with a matching value, and nothing else unless `...`.
fn options_match(alt: &OptSet, seen: &[Opt]) -> bool {
    let fits = |want: &Opt, got: &Opt| match (want, got) {
        (Opt::Mss(w), Opt::Mss(Val::Is(g))) => w.matches(*g),
        (Opt::WScale(w), Opt::WScale(Val::Is(g))) => w.matches(*g),
        (Opt::SackOk, Opt::SackOk) => true,
        (Opt::Ts(wv, we), Opt::Ts(Val::Is(gv), Val::Is(ge))) => wv.matches(*gv) && we.matches(*ge),
        (Opt::Sack(w), Opt::Sack(g)) => w == g,
        _ => false,
    };
    let all_wanted = alt.opts.iter().all(|w| seen.iter().any(|g| fits(w, g)));
    let nothing_else = alt.more || seen.iter().all(|g| alt.opts.iter().any(|w| fits(w, g)));
    all_wanted && nothing_else
}

/// The pattern a script's `write N` sends: N bytes.
pub fn write_payload(n: u32) -> Vec<u8> {
    (0..n).map(|i| b'A' + (i % 26) as u8).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backoff_window_is_the_ratio_of_the_gap_before() {
        // A first RTO of 0.2 s ending at 1 s: `x2` wants the next event
        // 0.4 s later, within 20%; a stack that repeats 0.2 s misses it.
        let (lo, hi) = window(
            Time::Backoff(2.0),
            Duration::from_secs(1),
            Duration::from_millis(200),
            Duration::ZERO,
        );
        assert_eq!(
            (lo, hi),
            (Duration::from_millis(1320), Duration::from_millis(1480))
        );
        assert!(Duration::from_millis(1200) < lo);
    }
}
